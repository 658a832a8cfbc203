//! TCP connections of a container, from `/proc/<pid>/net/tcp` and `tcp6` of one of its
//! processes: those files list the sockets of the process's network namespace, which every
//! container of a pod shares, so the counts are per pod.
//!
//! A container in the host's network namespace (`hostNetwork: true`, `--network host`) would
//! report the whole node's sockets as its own: it is recognised by its namespace inode, equal to
//! pid 1's, and its connections are not read ([`NetSummary::host_network`]).
//!
//! Outbound connections are established ones whose local port is not a listening port of the
//! namespace; their destinations are kept, counted, up to a bound.

use std::collections::{BTreeMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::Path;

use serde::Serialize;

/// TCP states as `/proc/net/tcp` numbers them (include/net/tcp_states.h).
pub const TCP_STATES: [&str; 12] = [
    "established",
    "syn_sent",
    "syn_recv",
    "fin_wait1",
    "fin_wait2",
    "time_wait",
    "close",
    "close_wait",
    "last_ack",
    "listen",
    "closing",
    "new_syn_recv",
];

/// One socket line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpSocket {
    /// Local address and port.
    pub local: (IpAddr, u16),
    /// Remote address and port.
    pub remote: (IpAddr, u16),
    /// The state number (1 = established, 10 = listen).
    pub state: u8,
}

const ESTABLISHED: u8 = 1;
const LISTEN: u8 = 10;

/// An outbound destination and how many established connections go to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Destination {
    /// Remote address.
    pub ip: IpAddr,
    /// Remote port.
    pub port: u16,
    /// Established connections to it.
    pub connections: u32,
}

/// The TCP connections of a network namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NetSummary {
    /// The namespace is the host's: connections were not read.
    pub host_network: bool,
    /// Sockets by state name.
    pub by_state: BTreeMap<&'static str, u32>,
    /// Established connections this namespace opened (local port not listening).
    pub outbound: u32,
    /// Established connections to its listening ports.
    pub inbound: u32,
    /// Outbound destinations, most connections first, at most the configured number.
    pub destinations: Vec<Destination>,
    /// Destinations left out past the bound.
    pub destinations_dropped: u32,
    /// Lines that could not be read.
    pub unparsed_lines: u32,
}

fn hex_u32(s: &str) -> Option<u32> {
    u32::from_str_radix(s, 16).ok()
}

/// `0100007F:0CEA` (address words in the kernel's byte order, port in host order).
fn parse_endpoint(s: &str) -> Option<(IpAddr, u16)> {
    let (addr, port) = s.split_once(':')?;
    let port = u16::from_str_radix(port, 16).ok()?;
    let ip = match addr.len() {
        8 => IpAddr::V4(Ipv4Addr::from(hex_u32(addr)?.to_ne_bytes())),
        32 => {
            let mut b = [0u8; 16];
            for (i, chunk) in b.chunks_exact_mut(4).enumerate() {
                let word = addr.get(i * 8..i * 8 + 8)?;
                chunk.copy_from_slice(&hex_u32(word)?.to_ne_bytes());
            }
            let v6 = Ipv6Addr::from(b);
            // IPv4-mapped addresses of dual-stack sockets read as IPv4.
            match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => IpAddr::V6(v6),
            }
        }
        _ => return None,
    };
    Some((ip, port))
}

/// One line of `/proc/net/tcp{,6}` (the header line is `None`).
pub fn parse_line(line: &str) -> Option<TcpSocket> {
    let mut it = line.split_whitespace();
    let sl = it.next()?;
    if !sl.ends_with(':') {
        return None;
    }
    let local = parse_endpoint(it.next()?)?;
    let remote = parse_endpoint(it.next()?)?;
    let state = u8::from_str_radix(it.next()?, 16).ok()?;
    Some(TcpSocket {
        local,
        remote,
        state,
    })
}

/// Summarises the sockets of `texts` (the contents of `tcp` and `tcp6`), keeping at most
/// `max_destinations` destinations.
pub fn summarise<'a>(
    texts: impl IntoIterator<Item = &'a str>,
    max_destinations: usize,
) -> NetSummary {
    let mut sockets = Vec::new();
    let mut out = NetSummary::default();
    for text in texts {
        for line in text.lines().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            match parse_line(line) {
                Some(s) => sockets.push(s),
                None => out.unparsed_lines += 1,
            }
        }
    }
    let listening: HashSet<u16> = sockets
        .iter()
        .filter(|s| s.state == LISTEN)
        .map(|s| s.local.1)
        .collect();
    let mut dests: BTreeMap<(IpAddr, u16), u32> = BTreeMap::new();
    for s in &sockets {
        let name = TCP_STATES
            .get(usize::from(s.state).wrapping_sub(1))
            .copied()
            .unwrap_or("unknown");
        *out.by_state.entry(name).or_default() += 1;
        if s.state == ESTABLISHED {
            if listening.contains(&s.local.1) {
                out.inbound += 1;
            } else {
                out.outbound += 1;
                *dests.entry(s.remote).or_default() += 1;
            }
        }
    }
    let mut dests: Vec<Destination> = dests
        .into_iter()
        .map(|((ip, port), connections)| Destination {
            ip,
            port,
            connections,
        })
        .collect();
    dests.sort_by(|a, b| b.connections.cmp(&a.connections).then(a.ip.cmp(&b.ip)));
    if dests.len() > max_destinations {
        out.destinations_dropped =
            u32::try_from(dests.len() - max_destinations).unwrap_or(u32::MAX);
        dests.truncate(max_destinations);
    }
    out.destinations = dests;
    out
}

fn netns(proc_root: &Path, pid: &str) -> Option<std::path::PathBuf> {
    std::fs::read_link(proc_root.join(pid).join("ns/net")).ok()
}

/// The connections of `pid`'s network namespace; `None` when the process is gone.
pub fn read(proc_root: &Path, pid: u32, max_destinations: usize) -> Option<NetSummary> {
    let pid_s = pid.to_string();
    let ns = netns(proc_root, &pid_s);
    if ns.is_some() && ns == netns(proc_root, "1") {
        return Some(NetSummary {
            host_network: true,
            ..NetSummary::default()
        });
    }
    let dir = proc_root.join(&pid_s).join("net");
    let tcp = std::fs::read_to_string(dir.join("tcp")).ok()?;
    let tcp6 = std::fs::read_to_string(dir.join("tcp6")).unwrap_or_default();
    Some(summarise([tcp.as_str(), tcp6.as_str()], max_destinations))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured from a Linux 6.x host (x86_64, little-endian), trimmed.
    const TCP: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 27153 1 0000000000000000 100 0 0 10 0
   1: 0100007F:1F90 0100007F:D4A2 01 00000000:00000000 00:00000000 00000000     0        0 27160 1 0000000000000000 20 4 30 10 -1
   2: 0A00000A:B5C2 5DB8D822:0D05 01 00000000:00000000 02:000A7A5C 00000000  1000        0 31337 2 0000000000000000 20 4 30 10 -1
   3: 0A00000A:B5C4 5DB8D822:0D05 01 00000000:00000000 02:000A7A5C 00000000  1000        0 31338 2 0000000000000000 20 4 30 10 -1
   4: 0A00000A:B5C6 5DB8D822:01BB 06 00000000:00000000 03:00001771 00000000     0        0 0 3 0000000000000000
";
    const TCP6: &str = "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 19 1 0000000000000000 100 0 0 10 0
   1: 0000000000000000FFFF00000A00000A:C000 0000000000000000FFFF00000100000A:0050 01 00000000:00000000 00:00000000 00000000     0        0 20 1 0000000000000000 20 4 30 10 -1
   2: B80D0120000000000000000001000000:C002 B80D0120000000000000000002000000:115C 02 00000000:00000000 00:00000000 00000000     0        0 21 1 0000000000000000 20 4 30 10 -1
garbage line
";

    #[test]
    #[cfg(target_endian = "little")]
    fn endpoints_in_kernel_byte_order() {
        let s = parse_line(TCP.lines().nth(3).unwrap()).unwrap();
        assert_eq!(s.local, ("10.0.0.10".parse().unwrap(), 46530));
        assert_eq!(s.remote, ("34.216.184.93".parse().unwrap(), 3333));
        assert_eq!(s.state, 1);
        let s = parse_line(TCP6.lines().nth(2).unwrap()).unwrap();
        assert_eq!(s.remote, ("10.0.0.1".parse().unwrap(), 80));
        let s = parse_line(TCP6.lines().nth(3).unwrap()).unwrap();
        assert_eq!(s.local.0, "2001:db8::1".parse::<IpAddr>().unwrap());
        assert_eq!(parse_line(TCP.lines().next().unwrap()), None);
    }

    #[test]
    #[cfg(target_endian = "little")]
    fn summary_counts_states_and_outbound_destinations() {
        let s = summarise([TCP, TCP6], 8);
        assert_eq!(s.by_state["listen"], 2);
        assert_eq!(s.by_state["established"], 4);
        assert_eq!(s.by_state["time_wait"], 1);
        assert_eq!(s.by_state["syn_sent"], 1);
        // 127.0.0.1:8080 accepted one (inbound); three go out.
        assert_eq!((s.inbound, s.outbound), (1, 3));
        assert_eq!(
            s.destinations[0],
            Destination {
                ip: "34.216.184.93".parse().unwrap(),
                port: 3333,
                connections: 2
            }
        );
        assert_eq!(s.destinations.len(), 2);
        assert_eq!(s.unparsed_lines, 1);
        let bounded = summarise([TCP, TCP6], 1);
        assert_eq!(bounded.destinations.len(), 1);
        assert_eq!(bounded.destinations_dropped, 1);
    }

    #[test]
    fn this_process_reads_its_namespace() {
        let me = std::process::id();
        let s = read(Path::new("/proc"), me, 4);
        assert!(s.is_some());
        assert_eq!(read(Path::new("/proc"), u32::MAX, 4), None);
    }
}
