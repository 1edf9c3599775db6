/** ObjectStore on S3 PutObject: one bucket per adapter. */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { SluiceError } from "../errors";
import type { ObjectStore } from "../workers/http/ports";
import { describeError } from "./sdk-errors";

export class ObjectStoreError extends SluiceError {
  constructor(
    readonly bucket: string,
    readonly key: string,
    cause: unknown,
  ) {
    super(`PutObject s3://${bucket}/${key} failed: ${describeError(cause)}`, { cause });
  }
}

export class S3ObjectStore implements ObjectStore {
  private readonly client: S3Client;
  readonly bucket: string;

  constructor(opts: { client: S3Client; bucket: string }) {
    if (!opts.bucket) throw new RangeError("S3ObjectStore: bucket must not be empty");
    this.client = opts.client;
    this.bucket = opts.bucket;
  }

  async put(key: string, body: string, contentType = "application/json; charset=utf-8"): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }));
    } catch (err) {
      throw new ObjectStoreError(this.bucket, key, err);
    }
  }
}
