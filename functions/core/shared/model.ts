export interface Client {
  ip: string;
  userAgent?: string | undefined;
}
