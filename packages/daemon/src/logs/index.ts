/** Logs: capture of child output, rotating files, reading/tailing, the daemon's own log. */
export { RotatingFile, type RotatingFileOptions, type RotatingFileReporter, type LogSink } from './rotating-file.js';
export { Capture, captureOutput, capturesIdle, type CaptureHandle, type CaptureListener, type CaptureOptions, type CaptureResult } from './capture.js';
export { PipeSource, holdAllPipes, releaseAllPipes, readableOf, type ChunkConsumer, type OutputStream } from './pipe-source.js';
export { autoLogMade, autoLogPath, carryAutoLogs, takeCarriedAutoLog, autoLogPattern, clearAutoChildLogDir, type CleanupReport } from './auto-logs.js';
export { readLog, tailLog, readRange, tailRange, readHeadSync, type ByteRange, type LogHead } from './read.js';
export {
  MainLog,
  LogLevels,
  formatLogLine,
  mainLogOptions,
  type LogLevelName,
  type MainLogOptions,
} from './main-log.js';
export { LogBus, MAIN_LOG_NAME, chunkDecoder, type LogListener, type RawLogListener } from './log-bus.js';
export { AnsiStripper, stripAnsi } from './ansi.js';
export { LineStamper } from './line-stamper.js';
export { formatLogTime } from './timestamp.js';
export { rotationPlan, backupPath } from './rotation.js';
