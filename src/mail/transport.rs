//! Where mail goes: an SMTP server (`SMTP_URL`), or `.eml` files in `DATA_DIR/mail`.

use crate::db::outbox::MailRow;
use lettre::message::header::{ContentType, MessageId};
use lettre::message::{Attachment, Mailbox, MultiPart};
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

pub enum Transport {
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
    /// The transport and its folder (each `.eml` is made owner-only once written).
    Files(AsyncFileTransport<Tokio1Executor>, PathBuf),
}

impl Transport {
    /// The transport `smtp_url` names, keeping up to `connections` SMTP connections open.
    pub fn from_settings(
        smtp_url: Option<&str>,
        connections: u32,
        mail_dir: PathBuf,
    ) -> anyhow::Result<Self> {
        match smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| anyhow::anyhow!("SMTP_URL is not a usable SMTP address: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(30)))
                    .pool_config(PoolConfig::new().max_size(connections.max(1)))
                    .build();
                Ok(Transport::Smtp(Box::new(transport)))
            }
            None => {
                crate::private_fs::create_dir_all(&mail_dir)?;
                Ok(Transport::Files(
                    AsyncFileTransport::new(mail_dir.clone()),
                    mail_dir,
                ))
            }
        }
    }

    pub fn describe(&self) -> &'static str {
        match self {
            Transport::Smtp(_) => "smtp",
            Transport::Files(..) => "files",
        }
    }

    pub async fn send(
        &self,
        from: &Mailbox,
        mail: &MailRow,
        host: &str,
        packages: &crate::storage::PackageStore,
    ) -> anyhow::Result<()> {
        let to: Mailbox = mail.to_address.parse()?;
        let body =
            MultiPart::alternative_plain_html(mail.body_text.clone(), mail.body_html.clone());
        let body = match (&mail.attachment_sha256, &mail.attachment_name) {
            (Some(sha), Some(name)) => {
                let (packages, sha) = (packages.clone(), sha.clone());
                let bytes = tokio::task::spawn_blocking(move || packages.read(&sha)).await??;
                let zip = ContentType::parse("application/zip")?;
                MultiPart::mixed()
                    .multipart(body)
                    .singlepart(Attachment::new(name.clone()).body(bytes, zip))
            }
            _ => body,
        };
        let message = Message::builder()
            .from(from.clone())
            .to(to)
            .subject(&mail.subject)
            // A stable id: a retry after a lost answer from the server is recognisable as the same mail.
            .header(MessageId::from(format!("<outbox-{}@{host}>", mail.id)))
            .multipart(body)?;
        match self {
            Transport::Smtp(t) => {
                t.send(message).await?;
            }
            Transport::Files(t, dir) => {
                // The message is the delivery itself, links and all: readable by the service
                // user only, like the rest of DATA_DIR.
                let id = t.send(message).await?;
                crate::private_fs::restrict_file(&dir.join(format!("{id}.eml")))?;
            }
        }
        Ok(())
    }
}
