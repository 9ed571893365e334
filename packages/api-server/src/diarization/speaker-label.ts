/** The contract's name of speaker `speaker` (0, 1, …): `SPEAKER_00`, `SPEAKER_01`, … */
export function speakerLabel(speaker: number): string {
  return `SPEAKER_${String(speaker).padStart(2, '0')}`;
}
