/** The client hung up before its answer: its work is cancelled, and nothing failed on our side. */
export class ClientGoneError extends Error {
  constructor() {
    super('client disconnected');
    this.name = 'ClientGoneError';
  }
}
