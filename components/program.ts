/**
 * The Pulumi program: stack config → validated catalog → one ProviderPipeline
 * per provider. Everything that can be wrong (config, catalog, bundles,
 * pipeline arguments) is checked before the first resource is registered, and
 * reported as a RunError: Pulumi prints its lines without a stack trace.
 */
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Catalog, Provider } from "../runtime/catalog/provider";
import { loadCatalog } from "../runtime/catalog/load";
import { CatalogError, SluiceError } from "../runtime/errors";
import { workerModuleProblems } from "../runtime/workers/user/load";
import { Bundler } from "./bundle";
import { ventilatorEntry, workerEntryFor } from "./entries";
import { landingBucketPolicy } from "./iam";
import { landingBucketPrefix } from "./naming";
import { withoutPromiseStacks } from "./promise-stacks";
import { TAG } from "./tags";
import { usesStackBucket } from "./worker-access";
import { pipelineArgProblems, ProviderPipeline, type ProviderPipelineArgs } from "./provider-pipeline";
import { readStackSettings, type StackSettings } from "./settings";

export interface ProgramDeps {
  /** Reads and validates the catalog; throws CatalogError. */
  loadCatalog(path: string): Catalog;
  /** The deployment package of an entry file; called once per function, so it should cache. */
  archive(entry: string): pulumi.asset.Archive;
  /** Directory the catalog path is relative to (the project directory). */
  cwd: string;
}

/** One bundler per program run: each entry is bundled once, whatever the number of providers. */
export function defaultDeps(): ProgramDeps {
  const bundler = new Bundler();
  return { loadCatalog, archive: (entry) => bundler.archive(entry), cwd: process.cwd() };
}

export interface ProviderOutputs {
  stream: pulumi.Output<string>;
  streamArn: pulumi.Output<string>;
  table: pulumi.Output<string>;
  mappingUuid: pulumi.Output<string>;
  ventilator: pulumi.Output<string>;
  worker: pulumi.Output<string>;
  deadLetterQueue: pulumi.Output<string>;
  dashboard: pulumi.Output<string>;
  dashboardUrl: string;
  enabled: boolean;
}

export interface ProgramOutputs {
  providers: Record<string, ProviderOutputs>;
  /** The stack's landing bucket, when an http provider needs it. */
  landingBucket?: pulumi.Output<string>;
  pipelines: ProviderPipeline[];
}

/** Stack settings from Pulumi config (`sluice:*`, `aws:region`). */
export function stackSettingsFromConfig(): StackSettings {
  const config = new pulumi.Config("sluice");
  return readStackSettings({ stack: pulumi.getStack(), region: aws.config.region, get: (key) => config.get(key) });
}

/** Whether some provider's worker (http or its own) lands its bodies in the stack's bucket. */
export function needsLandingBucket(providers: readonly Provider[]): boolean {
  return providers.some(usesStackBucket);
}

function fail(err: unknown): never {
  if (err instanceof SluiceError) throw new pulumi.RunError(err.message);
  throw err;
}

/** Registers the whole stack; throws a RunError (and registers nothing) when anything is invalid. */
export function sluiceProgram(settings: StackSettings, deps: ProgramDeps = defaultDeps()): ProgramOutputs {
  let catalog: Catalog;
  let code: Map<string, { ventilator: pulumi.asset.Archive; worker: pulumi.asset.Archive }>;
  try {
    const catalogFile = path.resolve(deps.cwd, settings.catalogPath);
    catalog = deps.loadCatalog(catalogFile);
    // A provider's own worker module: there, exporting a worker, its settings passing its schema.
    const moduleProblems = workerModuleProblems(catalog, catalogFile);
    if (moduleProblems.length > 0) throw new CatalogError(moduleProblems);
    const ventilator = deps.archive(ventilatorEntry());
    code = new Map(catalog.providers.map((p) => [p.id, { ventilator, worker: deps.archive(workerEntryFor(p, path.dirname(catalogFile))) }]));
  } catch (err) {
    fail(err);
  }

  const landing = needsLandingBucket(catalog.providers);
  const argsFor = (provider: Provider, landingBucket?: pulumi.Input<string>): ProviderPipelineArgs => ({
    provider,
    stack: settings.stack,
    region: settings.region,
    metricsNamespace: settings.metricsNamespace,
    rearmIntervalMinutes: settings.rearmIntervalMinutes,
    logRetentionDays: settings.logRetentionDays,
    accountConcurrencyLimit: settings.accountConcurrencyLimit,
    ...(settings.alarmTopicArn !== undefined ? { alarmTopicArn: settings.alarmTopicArn } : {}),
    ...(landingBucket !== undefined ? { landingBucket } : {}),
    ...(landingBucket !== undefined && settings.landingKmsKeyArn !== undefined ? { landingKmsKeyArn: settings.landingKmsKeyArn } : {}),
    code: code.get(provider.id)!,
  });

  // Every pipeline's arguments are checked before the first resource exists.
  const problems = catalog.providers.flatMap((p) =>
    pipelineArgProblems(argsFor(p, landing ? "landing-bucket" : undefined)).map((line) => `provider "${p.id}": ${line}`),
  );
  if (problems.length > 0) throw new pulumi.RunError(problems.join("\n"));

  const { landingBucket, pipelines } = withoutPromiseStacks(() => {
    const bucket = landing ? createLandingBucket(settings.stack, settings.landingKmsKeyArn).bucket : undefined;
    return { landingBucket: bucket, pipelines: catalog.providers.map((p) => new ProviderPipeline(p.id, argsFor(p, bucket))) };
  });

  const providers: Record<string, ProviderOutputs> = {};
  for (const [i, pipeline] of pipelines.entries()) {
    const p = catalog.providers[i]!;
    providers[p.id] = { ...pipeline.outputs(), enabled: p.enabled };
  }
  return { providers, pipelines, ...(landingBucket !== undefined ? { landingBucket } : {}) };
}

/**
 * Where http workers land bodies when their provider names no bucket: private, encrypted (with
 * the stack's customer-managed key when one is configured), and reachable over TLS only.
 */
function createLandingBucket(stack: string, kmsKeyArn?: string): aws.s3.Bucket {
  const tags = { [TAG.STACK]: stack };
  const bucket = new aws.s3.Bucket("landing", { bucketPrefix: landingBucketPrefix(stack), tags });
  new aws.s3.BucketServerSideEncryptionConfiguration("landing-encryption", {
    bucket: bucket.id,
    rules: [
      {
        applyServerSideEncryptionByDefault: kmsKeyArn ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: kmsKeyArn } : { sseAlgorithm: "AES256" },
        bucketKeyEnabled: true,
      },
    ],
  });
  new aws.s3.BucketPolicy("landing-tls-only", { bucket: bucket.id, policy: bucket.arn.apply((arn) => JSON.stringify(landingBucketPolicy(arn))) });
  new aws.s3.BucketPublicAccessBlock("landing-public-access", {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  return bucket;
}

/** The program as `pulumi up` runs it. */
export function sluiceStack(deps?: ProgramDeps): ProgramOutputs {
  let settings: StackSettings;
  try {
    settings = stackSettingsFromConfig();
  } catch (err) {
    fail(err);
  }
  return sluiceProgram(settings, deps);
}
