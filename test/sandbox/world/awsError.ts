/**
 * An error the sandbox answers with, in AWS's terms: the code is the one AWS uses for that
 * service (EC2 `InvalidInstanceID.NotFound`, EIC `EC2InstanceNotFoundException`, ...), the
 * status is AWS's HTTP status for it. Each API server renders it in its service's error shape.
 */
export class AwsError extends Error {
  override readonly name = 'AwsError';
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}
