export { attachmentDisposition } from "./content-disposition";
export { readS3rverEnv, s3rverEnv } from "./env";
export { StorageError, type StorageOperation } from "./errors";
export { createLocalStorage, type LocalStorage, type LocalStorageConfig } from "./local";
export { createS3Storage, type S3Storage, type S3StorageConfig } from "./s3";
export type { DownloadUrlOptions, ListedObject, PutOptions, Storage } from "./storage";
