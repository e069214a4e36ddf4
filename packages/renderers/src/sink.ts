/**
 * Where a renderer puts the file's bytes as it makes them, in order. A returned promise holds the renderer
 * back until it settles (backpressure); a rejection stops the render.
 */
export type ChunkSink = (chunk: Buffer) => void | Promise<void>;

/** A sink that keeps every chunk, and the file they make. */
export function collectingSink(): { sink: ChunkSink; bytes(): Buffer } {
  const chunks: Buffer[] = [];
  return {
    sink: (chunk) => {
      chunks.push(chunk);
    },
    bytes: () => (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)),
  };
}

/** Pieces a finished file is handed out in, so no single message or write is the whole file. */
export const SINK_PIECE = 1 << 20;

/** Puts a file made whole (a PDF) into a sink, piece by piece. */
export async function writeWhole(sink: ChunkSink, data: Buffer): Promise<void> {
  for (let start = 0; start < data.length; start += SINK_PIECE) {
    await sink(data.subarray(start, start + SINK_PIECE));
  }
}
