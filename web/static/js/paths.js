// Where to go after signing in: a path on this site only (the server's rule: web/client.py local_path).
// Browsers drop tabs and newlines from URLs and read a backslash as a slash, so "/\t/evil.example"
// would leave the site: any control character, any backslash and a leading "//" give "/".
export function localPath(value) {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//')) return '/';
  if (/[\u0000-\u001f\u007f-\u009f\\]/.test(value)) return '/';
  return value;
}
