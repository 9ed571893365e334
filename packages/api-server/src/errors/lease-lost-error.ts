/** Another API server holds a callback job's lease now: whoever lost it stops working on the job. */
export class LeaseLostError extends Error {
  constructor(readonly jobId: string) {
    super(`the lease of callback job ${jobId} is held by another API server`);
    this.name = 'LeaseLostError';
  }
}
