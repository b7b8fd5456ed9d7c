/** A TCP proxy in front of the local PostgreSQL, for the fault tests. */
import { createServer, connect, type Server, type Socket } from 'node:net'

/** A TCP proxy in front of PostgreSQL that the test can cut and restore, like a network outage. */
export class Outage {
  private server: Server | undefined
  private sockets = new Set<Socket>()
  port = 0

  /** The same URL, its host and port this proxy's (open it first). */
  reaching(url: string): string {
    const viaProxy = new URL(url)
    viaProxy.hostname = '127.0.0.1'
    viaProxy.port = String(this.port)
    return viaProxy.toString()
  }

  async open(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(5432, '127.0.0.1')
      // Like a real connection: when one side goes, the other goes too.
      for (const [s, other] of [[client, upstream], [upstream, client]] as const) {
        this.sockets.add(s)
        s.on('close', () => {
          this.sockets.delete(s)
          other.destroy()
        })
        s.on('error', () => s.destroy())
      }
      client.pipe(upstream).pipe(client)
    })
    await new Promise<void>((resolve) => this.server?.listen(this.port, '127.0.0.1', resolve))
    const address = this.server.address()
    if (address !== null && typeof address === 'object') this.port = address.port
  }

  /**
   * Every connection open now goes silent, as across a network partition: what either side sends
   * is taken and never delivered, and no reset comes. Connections opened after it work.
   */
  freeze(): void {
    for (const socket of this.sockets) {
      socket.unpipe()
      socket.pause()
    }
  }

  /** Drops every connection and stops listening: PostgreSQL is unreachable. */
  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()))
  }
}
