/** The SSRF table: which addresses a check may connect to, with and without ALLOW_PRIVATE_UPSTREAMS. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, test } from 'vitest'
import { blockedReason } from './addresses.js'
import { BlockedAddressError, createUpstreamHttp, DEFAULT_UPSTREAM_LIMITS } from './safe-http.js'

/** address, refused by default, refused even when private upstreams are allowed. */
export const SSRF_TABLE: [string, boolean, boolean][] = [
  ['169.254.169.254', true, true], // AWS/GCP/Azure instance metadata
  ['169.254.0.1', true, true],
  ['100.100.100.200', true, true], // Alibaba metadata
  ['168.63.129.16', true, true], // Azure wire server
  ['fd00:ec2::254', true, true], // AWS metadata, IPv6
  ['fe80::1', true, true], // link-local IPv6
  ['::ffff:169.254.169.254', true, true], // IPv4-mapped metadata
  ['127.0.0.1', true, false],
  ['127.255.255.254', true, false],
  ['::1', true, false],
  ['::ffff:127.0.0.1', true, false], // IPv4-mapped loopback
  ['::ffff:7f00:1', true, false], // the same, hex form
  ['64:ff9b::7f00:1', true, false], // NAT64 of loopback
  ['::127.0.0.1', true, false], // IPv4-compatible loopback (deprecated form)
  ['2002:7f00:1::', true, false], // 6to4 of loopback
  ['2002:a9fe:a9fe::1', true, true], // 6to4 of the metadata address
  ['2002:c0a8:101::', true, false], // 6to4 of 192.168.1.1
  ['10.0.0.1', true, false],
  ['172.16.5.4', true, false],
  ['172.31.255.255', true, false],
  ['192.168.1.1', true, false],
  ['100.64.0.1', true, false], // CGNAT
  ['0.0.0.0', true, false],
  ['::', true, false],
  ['fc00::1', true, false],
  ['fd12:3456::1', true, false],
  ['224.0.0.1', true, false], // multicast
  ['255.255.255.255', true, false],
  ['8.8.8.8', false, false],
  ['1.1.1.1', false, false],
  ['172.32.0.1', false, false], // just outside 172.16/12
  ['100.128.0.1', false, false], // just outside CGNAT
  ['2606:4700:4700::1111', false, false],
  ['::ffff:8.8.8.8', false, false],
  ['2002:808:808::1', false, false], // 6to4 of 8.8.8.8
  ['::8.8.8.8', false, false],
]

describe('addresses a check may connect to', () => {
  test.each(SSRF_TABLE)('%s: refused by default %s, refused with private upstreams allowed %s', (address, strict, allowed) => {
    expect(blockedReason(address, false) !== undefined).toBe(strict)
    expect(blockedReason(address, true) !== undefined).toBe(allowed)
  })
})

describe('the guarded client, on real sockets', () => {
  async function listening() {
    let connections = 0
    const server = createServer((_req, res) => res.end('{}'))
    server.on('connection', () => (connections += 1))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return { port: (server.address() as AddressInfo).port, connections: () => connections, close: () => new Promise((r) => server.close(r)) }
  }
  const get = (url: string) => ({ method: 'GET' as const, url, headers: {}, stream: false, kind: 'model' as const, credentialHeader: 'authorization' })

  test('a name that resolves to loopback (localhost) is refused at connect time; no connection is made', async () => {
    const target = await listening()
    const http = createUpstreamHttp({ ...DEFAULT_UPSTREAM_LIMITS, allowPrivate: false })
    try {
      await expect(http.send(get(`https://localhost:${target.port}/v1/models/x`))).rejects.toMatchObject({ code: 'EBLOCKED' })
      await expect(http.send(get(`https://127.0.0.1:${target.port}/v1/models/x`))).rejects.toBeInstanceOf(BlockedAddressError)
      await expect(http.send(get(`https://[::ffff:127.0.0.1]:${target.port}/v1/models/x`))).rejects.toBeInstanceOf(BlockedAddressError)
      await expect(http.send(get(`http://example.com:${target.port}/`))).rejects.toThrow(/http: URLs are not called/)
      expect(target.connections()).toBe(0)
    } finally {
      await http.close()
      await target.close()
    }
  })

  test('with private upstreams allowed, loopback is reached; metadata still is not', async () => {
    const target = await listening()
    const http = createUpstreamHttp({ ...DEFAULT_UPSTREAM_LIMITS, allowPrivate: true })
    try {
      const answer = await http.send(get(`http://localhost:${target.port}/v1/models/x`))
      expect(answer.status).toBe(200)
      for await (const _ of answer.chunks) void _
      await expect(http.send(get('http://169.254.169.254/latest/meta-data/'))).rejects.toBeInstanceOf(BlockedAddressError)
      expect(target.connections()).toBe(1)
    } finally {
      await http.close()
      await target.close()
    }
  })

  test('a body larger than the limit is cut there', async () => {
    const server = createServer((_req, res) => res.end('x'.repeat(5000)))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const http = createUpstreamHttp({ ...DEFAULT_UPSTREAM_LIMITS, allowPrivate: true, maxBodyBytes: 1000 })
    try {
      const answer = await http.send(get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`))
      let read = 0
      for await (const chunk of answer.chunks) read += chunk.length
      expect(read).toBeLessThanOrEqual(1000)
      expect(answer.truncated()).toBe(true)
    } finally {
      await http.close()
      await new Promise((r) => server.close(r))
    }
  })
})
