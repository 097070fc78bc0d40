// The connection options mysql2 and the mariadb connector take (and covet's MySqlConnection
// too), from a mysql:// URL: for the MySQL benchmarks and their plain-JavaScript RSS children.
export function mysqlOptions(url) {
  const parsed = new URL(url)
  return {
    host: parsed.hostname,
    port: Number(parsed.port || 3306),
    user: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
    database: parsed.pathname.slice(1),
  }
}
