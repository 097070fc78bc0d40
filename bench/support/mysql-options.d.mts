export function mysqlOptions(url: string): {
  host: string
  port: number
  user: string
  password: string
  database: string
}
