//! A minimal HTTP/1.1 file server on loopback for update tests: serves a directory, answers
//! conditional requests with 304, and can be told to fail a path a number of times first.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// A running server. Dropping it leaves the thread blocked in accept; tests are short-lived.
pub struct Server {
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
    pub fn start(root: PathBuf) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
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
        Server { base, state }
    }

    /// Answer `status` for the next `times` requests of `path`.
    pub fn fail(&self, path: &str, status: u16, times: u32) {
        self.state
            .lock()
            .unwrap()
            .failures
            .insert(path.to_owned(), (status, times));
    }

    /// Announce the full length but send half of the body for the next `times` requests.
    pub fn truncate(&self, path: &str, times: u32) {
        self.state
            .lock()
            .unwrap()
            .truncate
            .insert(path.to_owned(), times);
    }

    /// Requests seen: path and `If-None-Match`.
    pub fn requests(&self) -> Vec<(String, Option<String>)> {
        self.state.lock().unwrap().requests.clone()
    }
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
    let mut state = state.lock().unwrap();
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
            &body[..body.len() / 2]
        }
        _ => &body[..],
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
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&path[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
