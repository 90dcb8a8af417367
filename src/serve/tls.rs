//! HTTPS for the emulated pod (`--tls-cert/--tls-key`), with optional client certificates
//! (`--client-ca`) so bots that authenticate by certificate (mTLS) can be tested too.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::server::WebPkiClientVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;
use tokio_util::either::Either;

/// PEM texts for serving HTTPS.
#[derive(Debug, Clone)]
pub struct TlsOptions {
    pub cert_pem: String,
    pub key_pem: String,
    /// Verify client certificates against this CA (clients without one may still connect).
    pub client_ca_pem: Option<String>,
}

/// Who is on the other end of a connection.
#[derive(Debug, Clone)]
pub struct Peer {
    pub addr: SocketAddr,
    /// A client certificate was presented and verified against `--client-ca`.
    pub client_cert: bool,
    /// Cuts this connection (the `drop` fault).
    pub cut: Cut,
}

/// A switch that makes a connection fail every later read and write, so it is closed before
/// anything more (a response head) reaches the client.
#[derive(Debug, Clone, Default)]
pub struct Cut(Arc<AtomicBool>);

impl Cut {
    pub fn cut(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_cut(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// A served connection that a [`Cut`] can break.
pub struct Conn {
    io: Either<TcpStream, TlsStream<TcpStream>>,
    cut: Cut,
}

fn dropped() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "dropped by a fault")
}

impl AsyncRead for Conn {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        if self.cut.is_cut() {
            return Poll::Ready(Err(dropped()));
        }
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Conn {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        if self.cut.is_cut() {
            return Poll::Ready(Err(dropped()));
        }
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        if self.cut.is_cut() {
            return Poll::Ready(Err(dropped()));
        }
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

pub fn acceptor(opts: &TlsOptions) -> Result<TlsAcceptor, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let certs: Vec<CertificateDer<'static>> =
        CertificateDer::pem_slice_iter(opts.cert_pem.as_bytes())
            .collect::<Result<_, _>>()
            .map_err(|e| format!("the TLS certificate is not PEM: {e}"))?;
    let key = PrivateKeyDer::from_pem_slice(opts.key_pem.as_bytes())
        .map_err(|e| format!("the TLS key is not a PEM private key: {e}"))?;
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = match &opts.client_ca_pem {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(ca.as_bytes()) {
                roots
                    .add(cert.map_err(|e| format!("the client CA is not PEM: {e}"))?)
                    .map_err(|e| format!("bad client CA: {e}"))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .allow_unauthenticated()
                .build()
                .map_err(|e| format!("cannot verify client certificates: {e}"))?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    let mut config = builder
        .with_single_cert(certs, key)
        .map_err(|e| format!("the TLS certificate and key do not fit: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

/// serve's listener: plain TCP, or TLS on top of it.
pub struct Listener {
    pub tcp: TcpListener,
    pub tls: Option<TlsAcceptor>,
}

impl axum::serve::Listener for Listener {
    type Io = Conn;
    type Addr = Peer;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            let (stream, addr) = match self.tcp.accept().await {
                Ok(s) => s,
                Err(e) => {
                    tracing::debug!("accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    continue;
                }
            };
            let cut = Cut::default();
            let Some(tls) = &self.tls else {
                return (
                    Conn {
                        io: Either::Left(stream),
                        cut: cut.clone(),
                    },
                    Peer {
                        addr,
                        client_cert: false,
                        cut,
                    },
                );
            };
            // A bad handshake is the client's problem; keep serving the others.
            match tokio::time::timeout(std::time::Duration::from_secs(10), tls.accept(stream)).await
            {
                Ok(Ok(tls_stream)) => {
                    let client_cert = tls_stream
                        .get_ref()
                        .1
                        .peer_certificates()
                        .is_some_and(|c| !c.is_empty());
                    let conn = Conn {
                        io: Either::Right(tls_stream),
                        cut: cut.clone(),
                    };
                    return (
                        conn,
                        Peer {
                            addr,
                            client_cert,
                            cut,
                        },
                    );
                }
                Ok(Err(e)) => tracing::debug!("TLS handshake with {addr} failed: {e}"),
                Err(_) => tracing::debug!("TLS handshake with {addr} timed out"),
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(Peer {
            addr: self.tcp.local_addr()?,
            client_cert: false,
            cut: Cut::default(),
        })
    }
}

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, Listener>> for Peer {
    fn connect_info(stream: axum::serve::IncomingStream<'_, Listener>) -> Self {
        stream.remote_addr().clone()
    }
}
