// A minimal streaming zip writer (deflated entries, data descriptors, no Zip64): enough to package the simulator's ORD
// XML the way TRUD does (a zip, or a zip holding fullfile.zip) without a system `zip`, for tests and benchmarks.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { Transform, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

/** One file in the archive: its name and a function that writes its bytes to the stream it is given (not ending it). */
export interface ZipEntryInput {
  name: string;
  write(out: Writable): Promise<unknown>;
}

export interface ZipEntryWritten {
  name: string;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
}

export interface WriteZipResult {
  bytes: number;
  entries: ZipEntryWritten[];
}

const LOCAL_HEADER = 0x04034b50;
const DATA_DESCRIPTOR = 0x08074b50;
const CENTRAL_HEADER = 0x02014b50;
const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
/** Bit 3: sizes and CRC follow the data (so the entry can be streamed); bit 11: the name is UTF-8. */
const FLAGS = 0x0808;
const DEFLATE = 8;
const VERSION = 20;
/** 1980-01-01 00:00 in DOS format: fixed, so the same input gives the same bytes. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const MAX_32 = 0xffffffff;

/** Writes to `out` with backpressure and counts the bytes. */
class CountingSink {
  bytes = 0;
  constructor(private readonly out: Writable) {}
  async write(chunk: Buffer): Promise<void> {
    this.bytes += chunk.length;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }
}

function localHeader(name: Buffer): Buffer {
  const b = Buffer.alloc(30);
  b.writeUInt32LE(LOCAL_HEADER, 0);
  b.writeUInt16LE(VERSION, 4);
  b.writeUInt16LE(FLAGS, 6);
  b.writeUInt16LE(DEFLATE, 8);
  b.writeUInt16LE(DOS_TIME, 10);
  b.writeUInt16LE(DOS_DATE, 12);
  // CRC and sizes are zero here: they follow the data in the data descriptor.
  b.writeUInt16LE(name.length, 26);
  return Buffer.concat([b, name]);
}

function dataDescriptor(entry: ZipEntryWritten): Buffer {
  const b = Buffer.alloc(16);
  b.writeUInt32LE(DATA_DESCRIPTOR, 0);
  b.writeUInt32LE(entry.crc32, 4);
  b.writeUInt32LE(entry.compressedSize, 8);
  b.writeUInt32LE(entry.uncompressedSize, 12);
  return b;
}

function centralHeader(entry: ZipEntryWritten, name: Buffer, localOffset: number): Buffer {
  const b = Buffer.alloc(46);
  b.writeUInt32LE(CENTRAL_HEADER, 0);
  b.writeUInt16LE(VERSION, 4); // made by: MS-DOS, spec 2.0
  b.writeUInt16LE(VERSION, 6);
  b.writeUInt16LE(FLAGS, 8);
  b.writeUInt16LE(DEFLATE, 10);
  b.writeUInt16LE(DOS_TIME, 12);
  b.writeUInt16LE(DOS_DATE, 14);
  b.writeUInt32LE(entry.crc32, 16);
  b.writeUInt32LE(entry.compressedSize, 20);
  b.writeUInt32LE(entry.uncompressedSize, 24);
  b.writeUInt16LE(name.length, 28);
  b.writeUInt32LE(localOffset, 42);
  return Buffer.concat([b, name]);
}

function endOfCentralDirectory(count: number, size: number, offset: number): Buffer {
  const b = Buffer.alloc(22);
  b.writeUInt32LE(END_OF_CENTRAL_DIRECTORY, 0);
  b.writeUInt16LE(count, 8);
  b.writeUInt16LE(count, 10);
  b.writeUInt32LE(size, 12);
  b.writeUInt32LE(offset, 16);
  return b;
}

async function writeEntry(sink: CountingSink, input: ZipEntryInput): Promise<ZipEntryWritten> {
  let crc = 0;
  let uncompressedSize = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      crc = zlib.crc32(chunk, crc);
      uncompressedSize += chunk.length;
      callback(null, chunk);
    },
  });
  const before = sink.bytes;
  const toSink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sink.write(chunk).then(() => callback(), callback);
    },
  });
  const piped = pipeline(counter, zlib.createDeflateRaw(), toSink);
  try {
    await input.write(counter);
    counter.end();
  } catch (err) {
    counter.destroy(err as Error);
    await piped.catch(() => undefined);
    throw err;
  }
  await piped;
  const written = { name: input.name, crc32: crc >>> 0, compressedSize: sink.bytes - before, uncompressedSize };
  if (written.uncompressedSize > MAX_32 || written.compressedSize > MAX_32) {
    throw new Error(`zip entry ${input.name} is over 4 GiB; this writer has no Zip64 support`);
  }
  return written;
}

/**
 * Writes a zip of `entries`, each deflated and streamed (never held whole in memory). A path is created and closed; a
 * Writable is written to and not ended (its owner ends it).
 */
export async function writeZip(target: string | Writable, entries: readonly ZipEntryInput[]): Promise<WriteZipResult> {
  const out = typeof target === 'string' ? createWriteStream(target) : target;
  const sink = new CountingSink(out);
  const written: { entry: ZipEntryWritten; name: Buffer; offset: number }[] = [];
  try {
    for (const input of entries) {
      const name = Buffer.from(input.name, 'utf8');
      const offset = sink.bytes;
      await sink.write(localHeader(name));
      const entry = await writeEntry(sink, input);
      await sink.write(dataDescriptor(entry));
      written.push({ entry, name, offset });
    }
    const directoryOffset = sink.bytes;
    for (const { entry, name, offset } of written) await sink.write(centralHeader(entry, name, offset));
    const directorySize = sink.bytes - directoryOffset;
    if (sink.bytes > MAX_32) throw new Error('zip file is over 4 GiB; this writer has no Zip64 support');
    await sink.write(endOfCentralDirectory(written.length, directorySize, directoryOffset));
  } catch (err) {
    if (typeof target === 'string') out.destroy();
    throw err;
  }
  if (typeof target === 'string') {
    out.end();
    await finished(out);
  }
  return { bytes: sink.bytes, entries: written.map((w) => w.entry) };
}
