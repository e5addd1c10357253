//! A minimal keep-alive HTTP/1.1 client connection: write a request given as byte slices (so a
//! 3 MB image is written from one shared buffer, never copied per request), read one response
//! (Content-Length or chunked). Lean on purpose: the load generator must not be the bottleneck.

use std::io;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// One response: status and body (headers are not kept).
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
    /// The server asked to close the connection after this response.
    pub close: bool,
}

pub struct Conn {
    stream: TcpStream,
    /// Always fully initialised; `start..end` holds bytes read but not consumed yet.
    buf: Vec<u8>,
    start: usize,
    end: usize,
}

impl Conn {
    pub async fn connect(addr: &str) -> io::Result<Conn> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Conn { stream, buf: vec![0; 16 * 1024], start: 0, end: 0 })
    }

    /// Sends the parts of one request back to back, then reads its response.
    pub async fn exchange(&mut self, parts: &[&[u8]]) -> io::Result<Response> {
        for part in parts {
            self.stream.write_all(part).await?;
        }
        self.read_response().await
    }

    /// Reads more bytes into `buf[end..]`, compacting or growing it first when it is full.
    async fn fill(&mut self) -> io::Result<()> {
        if self.start == self.end {
            (self.start, self.end) = (0, 0);
        }
        if self.end == self.buf.len() {
            if self.start > 0 {
                self.buf.copy_within(self.start..self.end, 0);
                (self.start, self.end) = (0, self.end - self.start);
            } else {
                self.buf.resize(self.buf.len() * 2, 0);
            }
        }
        let n = self.stream.read(&mut self.buf[self.end..]).await?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed by the server"));
        }
        self.end += n;
        Ok(())
    }

    async fn read_response(&mut self) -> io::Result<Response> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut parsed = httparse::Response::new(&mut headers);
            match parsed.parse(&self.buf[self.start..self.end]) {
                Ok(httparse::Status::Complete(head_len)) => {
                    let status = parsed.code.unwrap_or(0);
                    let framing = Framing::of(parsed.headers);
                    self.start += head_len;
                    let body = match framing.length {
                        Some(n) => self.read_exact_body(n).await?,
                        None if framing.chunked => self.read_chunked().await?,
                        None => Vec::new(),
                    };
                    return Ok(Response { status, body, close: framing.close });
                }
                Ok(httparse::Status::Partial) => self.fill().await?,
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, format!("bad response: {e}"))),
            }
        }
    }

    async fn read_exact_body(&mut self, n: usize) -> io::Result<Vec<u8>> {
        while self.end - self.start < n {
            self.fill().await?;
        }
        let body = self.buf[self.start..self.start + n].to_vec();
        self.start += n;
        Ok(body)
    }

    async fn read_line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(pos) = self.buf[self.start..self.end].windows(2).position(|w| w == b"\r\n") {
                let line = self.buf[self.start..self.start + pos].to_vec();
                self.start += pos + 2;
                return Ok(line);
            }
            self.fill().await?;
        }
    }

    async fn read_chunked(&mut self) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line = self.read_line().await?;
            let size_text = String::from_utf8_lossy(&line);
            let size_text = size_text.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16)
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "bad chunk size"))?;
            if size == 0 {
                // Trailers, if any, end with an empty line.
                while !self.read_line().await?.is_empty() {}
                return Ok(body);
            }
            body.extend_from_slice(&self.read_exact_body(size).await?);
            self.read_line().await?;
        }
    }
}

struct Framing {
    length: Option<usize>,
    chunked: bool,
    close: bool,
}

impl Framing {
    fn of(headers: &[httparse::Header<'_>]) -> Framing {
        let mut f = Framing { length: None, chunked: false, close: false };
        for h in headers {
            let value = String::from_utf8_lossy(h.value).to_ascii_lowercase();
            if h.name.eq_ignore_ascii_case("content-length") {
                f.length = value.trim().parse().ok();
            } else if h.name.eq_ignore_ascii_case("transfer-encoding") {
                f.chunked = value.contains("chunked");
            } else if h.name.eq_ignore_ascii_case("connection") {
                f.close = value.contains("close");
            }
        }
        f
    }
}

/// True when a vendor JSON body says `"code":"0"` (with or without a space after the colon).
pub fn code_is_zero(body: &[u8]) -> bool {
    let hay = body;
    [&b"\"code\":\"0\""[..], &b"\"code\": \"0\""[..]]
        .iter()
        .any(|needle| hay.windows(needle.len()).any(|w| w == *needle))
}
