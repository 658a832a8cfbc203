//! A minimal HTTP/1.1 file server on loopback, for tests of code that downloads (feeds,
//! later registries' blobs): serves a directory, answers conditional requests with 304, and
//! can be told to fail a path a number of times, or cut a body short, first.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A running server. Dropping it leaves the thread blocked in accept; tests are short-lived.
pub struct Server {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    root: PathBuf,
    failures: HashMap<String, (u16, u32)>,
    truncate: HashMap<String, u32>,
    requests: Vec<(String, Option<String>)>,
}

impl Server {
    /// Serves `root` on a free loopback port until the process ends.
    pub fn start(root: PathBuf) -> std::io::Result<Server> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let base = format!("http://{}", listener.local_addr()?);
        let state = Arc::new(Mutex::new(State {
            root,
            ..State::default()
        }));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = serve(stream, &shared);
            }
        });
        Ok(Server { base, state })
    }

    /// Answer `status` for the next `times` requests of `path`.
    pub fn fail(&self, path: &str, status: u16, times: u32) {
        lock(&self.state)
            .failures
            .insert(path.to_owned(), (status, times));
    }

    /// Announce the full length but send half of the body for the next `times` requests.
    pub fn truncate(&self, path: &str, times: u32) {
        lock(&self.state).truncate.insert(path.to_owned(), times);
    }

    /// Requests seen: path and `If-None-Match`.
    pub fn requests(&self) -> Vec<(String, Option<String>)> {
        lock(&self.state).requests.clone()
    }
}

fn lock(state: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    // A panicking test thread poisons the lock; the state is still usable for the others.
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn serve(stream: TcpStream, state: &Arc<Mutex<State>>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut if_none_match = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.eq_ignore_ascii_case("if-none-match") {
                if_none_match = Some(value.trim().to_owned());
            }
        }
    }
    let mut out = stream;
    let mut state = lock(state);
    state.requests.push((path.clone(), if_none_match.clone()));
    if let Some((status, times)) = state.failures.get_mut(&path) {
        if *times > 0 {
            *times -= 1;
            let status = *status;
            return write!(
                out,
                "HTTP/1.1 {status} Failing\r\nContent-Length: 0\r\nRetry-After: 0\r\nConnection: close\r\n\r\n"
            );
        }
    }
    let decoded = percent_decode(path.trim_start_matches('/'));
    let file = state.root.join(decoded);
    let Ok(body) = std::fs::read(&file) else {
        return write!(
            out,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        );
    };
    let etag = format!(
        "\"{}-{}\"",
        body.len(),
        body.iter().map(|b| u64::from(*b)).sum::<u64>()
    );
    if if_none_match.as_deref() == Some(etag.as_str()) {
        return write!(
            out,
            "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nConnection: close\r\n\r\n"
        );
    }
    let sent = match state.truncate.get_mut(&path) {
        Some(times) if *times > 0 => {
            *times -= 1;
            body.get(..body.len() / 2).unwrap_or_default()
        }
        _ => &body,
    };
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nETag: {etag}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    out.write_all(sent)?;
    out.flush()
}

fn percent_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            if let Some(n) = path
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(n);
                i += 3;
                continue;
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
