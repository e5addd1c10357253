//! `idocr-mock`: parse the command line, build the configuration, bind, serve.

use clap::Parser;
use idocr_mock::cli::{Cli, Command, ServeArgs};
use idocr_mock::error::StartupError;
use idocr_mock::http::server;
use idocr_mock::http::tls::serve::Certs;
use idocr_mock::{commands, orders, State};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Sign(args)) => commands::sign(&args).map(|out| print!("{out}")),
        Some(Command::Codes(args)) => {
            print!("{}", commands::codes(&args));
            Ok(())
        }
        Some(Command::Scenarios(args)) => commands::scenarios(&args).map(|out| print!("{out}")),
        Some(Command::Image(args)) => commands::image(&args).map(|out| print!("{out}")),
        Some(Command::Ca(args)) => idocr_mock::http::tls::trust::ca(args.ca_dir.as_deref(), args.out.as_deref()),
        Some(Command::Conformance(args)) => return idocr_mock::conformance::main(&args),
        Some(Command::Health(args)) => return idocr_mock::health::main(&args),
        None => serve(&cli.serve),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("idocr-mock: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: &ServeArgs) -> Result<(), StartupError> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_max_level(args.log_level)
        .with_target(false)
        .init();
    let config = args.to_config()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| StartupError::Usage(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let addr = SocketAddr::new(args.bind, args.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| StartupError::Bind { addr: addr.to_string(), source })?;
        let local = listener.local_addr().map_err(|source| StartupError::Bind { addr: addr.to_string(), source })?;
        // Held until the process ends: a second process on this --data-dir refuses to start.
        let _lock = config.data_dir.as_deref().map(orders::disk::lock).transpose().map_err(StartupError::Usage)?;
        let certs = Arc::new(Certs::new(args.cert_source(), &args.tls_name));
        let https = match args.https_port {
            Some(port) => {
                certs.get().map_err(|e| StartupError::Usage(e.clone()))?;
                let addr = SocketAddr::new(args.bind, port);
                let bound = tokio::net::TcpListener::bind(addr)
                    .await
                    .map_err(|source| StartupError::Bind { addr: addr.to_string(), source })?;
                let at = bound.local_addr().map_err(|source| StartupError::Bind { addr: addr.to_string(), source })?;
                Some((bound, at))
            }
            None => None,
        };
        // Orders are loaded before the line: it means the mock answers (the README's CI loop
        // waits for it). SIGTERM meanwhile still ends the process: no handler is installed yet.
        let state = State::new(config);
        println!("listening on http://{local}");
        if let Some((_, at)) = &https {
            println!("listening on https://{at}");
        }
        commands::log_startup(state.config(), state.scenarios().catalog().len(), local);
        let https = https.map(|(l, _)| l);
        server::run_all(listener, https, certs, state, shutdown_signal()).await;
        Ok(())
    })
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("SIGINT received"),
        () = term => tracing::info!("SIGTERM received"),
    }
}

/// mimalloc: a small call allocates a few dozen short-lived buffers, and with glibc's malloc they
/// cost a fifth of its CPU (bench/README.md). Built without transparent huge pages (`no_thp`) so
/// that the idle process stays near 5 MiB instead of 11.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
