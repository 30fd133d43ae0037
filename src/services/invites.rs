//! Invite codes (admins only): made single-use or for several sign-ups, with an expiry.

use crate::db::Pool;
use crate::{
    auth::{CurrentUser, token},
    db,
    error::AppError,
    limits::{INVITE_DAYS, INVITE_USES, NOTE_MAX_CHARS},
    services::{generation::rfc3339, whole},
    types::InviteView,
};
use serde::Deserialize;

/// A new invite, as the admin asks for it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// How many sign-ups it allows (default 1).
    pub max_uses: Option<i64>,
    /// Days until it expires (default 7).
    pub expires_in_days: Option<i64>,
    /// What it is for (the admin's own note).
    #[serde(default)]
    pub note: String,
}

fn view(r: db::invites::InviteRow, now: i64) -> InviteView {
    InviteView {
        usable: r.uses < r.max_uses && r.expires_at.is_none_or(|t| t > now),
        signup_path: format!("/signup?invite={}", r.code),
        id: r.id,
        code: r.code,
        note: r.note,
        max_uses: r.max_uses,
        uses: r.uses,
        expires_at: r.expires_at.map(rfc3339),
        created_at: rfc3339(r.created_at),
    }
}

pub async fn list(pool: &Pool, admin: &CurrentUser) -> Result<Vec<InviteView>, AppError> {
    admin.require_admin()?;
    let now = db::now_ms();
    Ok(db::invites::list(pool)
        .await
        .map_err(super::internal)?
        .into_iter()
        .map(|r| view(r, now))
        .collect())
}

pub async fn create(
    pool: &Pool,
    admin: &CurrentUser,
    req: InviteRequest,
) -> Result<InviteView, AppError> {
    admin.require_admin()?;
    let max_uses = whole("max_uses", req.max_uses.unwrap_or(1), INVITE_USES)?;
    let days = whole(
        "expires_in_days",
        req.expires_in_days.unwrap_or(7),
        INVITE_DAYS,
    )?;
    let note = super::text("note", &req.note, NOTE_MAX_CHARS)?;
    let now = db::now_ms();
    let id = db::new_id();
    let code = token::invite_code();
    let invite_expiry = Some(now + days * 24 * 3600 * 1000);
    let mut tx = pool.begin_write().await.map_err(super::internal)?;
    let invite = db::invites::NewInvite {
        id: &id,
        code: &code,
        note,
        max_uses,
        expires_at: invite_expiry,
        created_by: &admin.id,
    };
    db::invites::insert(&mut tx, invite, now)
        .await
        .map_err(super::internal)?;
    let detail = format!("{max_uses} use(s), {days} day(s)");
    super::audit(&mut tx, admin, "invite.create", Some(&id), &detail).await?;
    tx.commit().await.map_err(super::internal)?;
    tracing::info!(invite_id = %id, max_uses, days, "invite created");
    let row = db::invites::InviteRow {
        id,
        code,
        note: note.to_owned(),
        max_uses,
        uses: 0,
        expires_at: invite_expiry,
        created_at: now,
    };
    Ok(view(row, now))
}

/// Withdraws an invite: it signs no one up any more (accounts made with it stay).
pub async fn delete(pool: &Pool, admin: &CurrentUser, id: &str) -> Result<(), AppError> {
    admin.require_admin()?;
    let mut tx = pool.begin_write().await.map_err(super::internal)?;
    if !db::invites::delete(&mut tx, id)
        .await
        .map_err(super::internal)?
    {
        return Err(AppError::NotFound);
    }
    super::audit(&mut tx, admin, "invite.delete", Some(id), "").await?;
    tx.commit().await.map_err(super::internal)?;
    Ok(())
}
