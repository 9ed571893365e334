import { open } from 'node:fs/promises';

const ARCHIVE_SUFFIXES = ['.tar.gz', '.tgz', '.tar.bz2', '.tbz2', '.tbz', '.tar.xz', '.txz', '.tar', '.zip'];

/** Leading bytes of gzip, bzip2, xz and zip files; a tar file has `ustar` at byte 257. */
const MAGIC: readonly (readonly [offset: number, bytes: Buffer])[] = [
  [0, Buffer.from([0x1f, 0x8b])],
  [0, Buffer.from('BZh')],
  [0, Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])],
  [0, Buffer.from([0x50, 0x4b, 0x03, 0x04])],
  [257, Buffer.from('ustar')],
];

/**
 * Whether the model is an archive to unpack (sherpa-onnx ships `.tar.bz2`), by the URL's file
 * name or, for a name that does not say, by the file's first bytes. A whisper.cpp `.bin` or an
 * `.onnx` file starts otherwise, so it is used as it is.
 */
export async function isArchive(path: string, fileName: string): Promise<boolean> {
  const name = fileName.toLowerCase();
  if (ARCHIVE_SUFFIXES.some((suffix) => name.endsWith(suffix))) return true;
  const head = Buffer.alloc(262);
  const file = await open(path, 'r');
  let length: number;
  try {
    ({ bytesRead: length } = await file.read(head, 0, head.length, 0));
  } finally {
    await file.close();
  }
  return MAGIC.some(([offset, bytes]) => offset + bytes.length <= length && head.subarray(offset, offset + bytes.length).equals(bytes));
}
