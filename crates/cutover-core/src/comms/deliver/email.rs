//! The `email` channel: SMTP through lettre, on rustls (no OpenSSL), with
//! STARTTLS required, TLS from the start, or no encryption, as the spec
//! says. The server, user and password come from the environment; the
//! mail's `Message-ID` is the message's idempotency key.

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use super::{DeliveryError, required_env, scrubbed};
use crate::spec::{EmailChannel, SmtpTls};
use crate::store::OutboxMessage;

/// How long connecting and each SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// An SMTP server to send through.
pub struct EmailTransport {
    transport: SmtpTransport,
    from: Mailbox,
    secrets: Vec<String>,
}

impl EmailTransport {
    pub(super) fn open(settings: &EmailChannel) -> Result<EmailTransport, String> {
        let server = required_env(&settings.host_env)?;
        let (host, port) = host_and_port(server.trim(), settings.tls)?;
        let mut secrets = Vec::new();
        let mut builder = SmtpTransport::builder_dangerous(&host)
            .port(port)
            .timeout(Some(SMTP_TIMEOUT));
        if settings.tls != SmtpTls::None {
            let parameters = tls_parameters(&host, settings)?;
            builder = builder.tls(match settings.tls {
                SmtpTls::Tls => Tls::Wrapper(parameters),
                _ => Tls::Required(parameters),
            });
        }
        if let (Some(user), Some(password)) = (&settings.username_env, &settings.password_env) {
            let user = required_env(user)?;
            let password = required_env(password)?;
            secrets.push(password.clone());
            builder = builder.credentials(Credentials::new(user, password));
        }
        let from = settings
            .from
            .parse::<Mailbox>()
            .map_err(|error| format!("sender `{}`: {error}", settings.from))?;
        Ok(EmailTransport {
            transport: builder.build(),
            from,
            secrets,
        })
    }

    pub(super) fn deliver(&self, message: &OutboxMessage) -> Result<(), DeliveryError> {
        let mail = build(&self.from, message).map_err(DeliveryError::Permanent)?;
        match self.transport.send(&mail) {
            Ok(_) => Ok(()),
            Err(error) => {
                let text = scrubbed(&self.secrets, &describe(&error));
                if error.is_permanent() {
                    Err(DeliveryError::Permanent(text))
                } else {
                    Err(DeliveryError::Retry(text))
                }
            }
        }
    }
}

/// An SMTP error with its causes, in one line.
fn describe(error: &lettre::transport::smtp::Error) -> String {
    let mut text = format!("SMTP: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text
}

/// `host` or `host:port`; the port defaults by the kind of TLS.
fn host_and_port(server: &str, tls: SmtpTls) -> Result<(String, u16), String> {
    match server.rsplit_once(':') {
        _ if server.is_empty() => Err("the SMTP server is empty".into()),
        Some((host, port)) => {
            let port = port
                .parse::<u16>()
                .map_err(|_| format!("the SMTP server's port `{port}` is not a number"))?;
            if host.is_empty() {
                return Err("the SMTP server has no host".into());
            }
            Ok((host.to_owned(), port))
        }
        None => Ok((server.to_owned(), tls.default_port())),
    }
}

/// TLS with the Mozilla roots, or only the CA certificates the spec names.
fn tls_parameters(host: &str, settings: &EmailChannel) -> Result<TlsParameters, String> {
    let mut builder = TlsParameters::builder(host.to_owned());
    match &settings.ca_file_env {
        Some(variable) => {
            let path = required_env(variable)?;
            let pem = std::fs::read(path.trim()).map_err(|error| {
                format!("CA file `{}` (from `{variable}`): {error}", path.trim())
            })?;
            let certificate = Certificate::from_pem(&pem)
                .map_err(|error| format!("CA file `{}`: {error}", path.trim()))?;
            builder = builder
                .certificate_store(CertificateStore::None)
                .add_root_certificate(certificate);
        }
        None => builder = builder.certificate_store(CertificateStore::WebpkiRoots),
    }
    builder
        .build_rustls()
        .map_err(|error| format!("TLS settings: {error}"))
}

/// The mail of `message`: to its addresses, `Message-ID` its key.
fn build(from: &Mailbox, message: &OutboxMessage) -> Result<Message, String> {
    let m = &message.message;
    if m.addresses.is_empty() {
        return Err("the message has no addresses".into());
    }
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(m.subject.clone())
        .message_id(Some(format!("<{}@cutover>", m.key)))
        .header(ContentType::TEXT_PLAIN);
    for address in &m.addresses {
        let mailbox = address
            .parse::<Mailbox>()
            .map_err(|error| format!("address `{address}`: {error}"))?;
        builder = builder.to(mailbox);
    }
    builder
        .body(m.body.clone())
        .map_err(|error| format!("the mail could not be built: {error}"))
}

pub(super) fn preview(settings: &EmailChannel, message: &OutboxMessage) -> String {
    let m = &message.message;
    format!(
        "email via ${} ({:?})\nFrom: {}\nTo: {}\nMessage-ID: <{}@cutover>\nSubject: {}\n\n{}",
        settings.host_env,
        settings.tls,
        settings.from,
        m.addresses.join(", "),
        m.key,
        m.subject,
        m.body
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_port_defaults_by_the_kind_of_tls() {
        assert_eq!(
            host_and_port("smtp.example.com", SmtpTls::Starttls),
            Ok(("smtp.example.com".into(), 587))
        );
        assert_eq!(
            host_and_port("127.0.0.1:2525", SmtpTls::None),
            Ok(("127.0.0.1".into(), 2525))
        );
        assert!(host_and_port("mail:x", SmtpTls::Tls).is_err());
    }
}
