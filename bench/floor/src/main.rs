//! The floor: what one 3 MB `idcardocrapp` request costs at the least on one core, each step in a
//! tight loop on warm caches, so the table can say what fraction of it the mock reaches:
//! reading the body from a loopback socket, decoding the Base64 (the `base64` crate and
//! `base64-simd`), parsing the JSON body with serde_json (strings borrowed), one SHA-1 of the
//! signed string. Prints one JSON object. Usage: `floor BODY_FILE [--reader-cpu N --writer-cpu M]`.

use base64::Engine as _;
use serde::Deserialize;
use sha1::{Digest, Sha1};
use std::hint::black_box;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Instant;

#[derive(Deserialize)]
#[allow(dead_code)] // the fields are what a parse must produce; black_box keeps them alive
struct Body<'a> {
    #[serde(borrow, rename = "webankAppId")]
    app_id: &'a str,
    version: &'a str,
    nonce: &'a str,
    #[serde(rename = "orderNo")]
    order_no: &'a str,
    #[serde(rename = "cardType")]
    card_type: &'a str,
    sign: &'a str,
    #[serde(rename = "idcardStr")]
    idcard_str: &'a str,
}

/// CPU time of the calling thread, in microseconds.
fn thread_cpu_us() -> f64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes into the timespec we own.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 * 1e6 + t.tv_nsec as f64 / 1e3
}

fn pin(cpu: Option<usize>) {
    let Some(cpu) = cpu else { return };
    // SAFETY: a zeroed cpu_set_t is valid; we set one bit and apply it to this thread.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

/// Median over 7 batches of the CPU µs per call of `f`, batches sized to take ~100 ms.
fn per_item(mut f: impl FnMut()) -> f64 {
    let t0 = Instant::now();
    f();
    let once = t0.elapsed().as_secs_f64().max(1e-7);
    let n = ((0.1 / once) as usize).clamp(1, 10_000_000);
    let mut batches: Vec<f64> = (0..7)
        .map(|_| {
            let c0 = thread_cpu_us();
            for _ in 0..n {
                f();
            }
            (thread_cpu_us() - c0) / n as f64
        })
        .collect();
    batches.sort_by(f64::total_cmp);
    batches[3]
}

/// CPU µs the reading thread spends per body read from a loopback socket (a writer thread, on
/// another core if given, keeps the socket full).
fn socket_read(body: &[u8], reader_cpu: Option<usize>, writer_cpu: Option<usize>) -> f64 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = listener.local_addr().expect("local addr");
    let rounds = 200usize;
    let payload = body.to_vec();
    let writer = std::thread::spawn(move || {
        pin(writer_cpu);
        let mut s = TcpStream::connect(addr).expect("connect loopback");
        for _ in 0..rounds + 20 {
            if s.write_all(&payload).is_err() {
                break;
            }
        }
    });
    pin(reader_cpu);
    let (mut s, _) = listener.accept().expect("accept");
    let mut buf = vec![0u8; body.len()];
    for _ in 0..20 {
        s.read_exact(&mut buf).expect("warm-up read");
    }
    let c0 = thread_cpu_us();
    for _ in 0..rounds {
        s.read_exact(&mut buf).expect("read");
    }
    let us = (thread_cpu_us() - c0) / rounds as f64;
    drop(s);
    let _ = writer.join();
    us
}

fn signed_string_sha1(b: &Body<'_>) -> String {
    let mut v = [b.app_id, b.order_no, b.nonce, b.version, "idocr-mock-sign-ticket"];
    v.sort_unstable();
    let digest = Sha1::digest(v.concat().as_bytes());
    digest.iter().map(|x| format!("{x:02X}")).collect()
}

fn arg_cpu(args: &[String], name: &str) -> Option<usize> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)?.parse().ok())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: floor BODY_FILE [--reader-cpu N --writer-cpu M]");
    let body = std::fs::read(path).expect("read the body file");
    let (reader_cpu, writer_cpu) = (arg_cpu(&args, "--reader-cpu"), arg_cpu(&args, "--writer-cpu"));
    let read_us = socket_read(&body, reader_cpu, writer_cpu);
    let parsed: Body<'_> = serde_json::from_slice(&body).expect("a valid body");
    let b64 = parsed.idcard_str.as_bytes();
    let mut out = vec![0u8; b64.len() / 4 * 3 + 3];
    let std_us = per_item(|| {
        black_box(base64::engine::general_purpose::STANDARD.decode_slice(black_box(b64), &mut out).expect("base64"));
    });
    let simd_us = per_item(|| {
        let out = base64_simd::Out::from_slice(&mut out);
        black_box(base64_simd::STANDARD.decode(black_box(b64), out).expect("base64").len());
    });
    let json_us = per_item(|| {
        black_box(serde_json::from_slice::<Body<'_>>(black_box(&body)).expect("json").idcard_str.len());
    });
    let sha1_us = per_item(|| {
        black_box(signed_string_sha1(black_box(&parsed)));
    });
    let obvious = read_us + std_us + json_us + sha1_us;
    let simd = read_us + simd_us + json_us + sha1_us;
    let out = serde_json::json!({
        "body_bytes": body.len(),
        "base64_bytes": b64.len(),
        "socket_read_us": read_us,
        "base64_decode_us": std_us,
        "base64_simd_decode_us": simd_us,
        "json_parse_us": json_us,
        "sha1_us": sha1_us,
        "total_obvious_us": obvious,
        "total_simd_us": simd,
        "rps_per_core_obvious": 1e6 / obvious,
        "rps_per_core_simd": 1e6 / simd,
    });
    println!("{out}");
}
