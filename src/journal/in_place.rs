//! Running a statement whose parameters SQLite reads where they lie, for an event's large bytes.
//!
//! rusqlite binds every text and blob with `SQLITE_TRANSIENT`: SQLite copies the value before
//! the statement runs, and the insert then builds the row's record, a second copy, to write
//! it into its pages. For a 100 MB entry that was two copies next to feedctl's own, the largest
//! part of what `record` held. Bound with `SQLITE_STATIC` instead (what rusqlite does not
//! offer), the record is the only copy SQLite makes. Only large events come here: preparing a
//! statement costs more than copying a small event, and those go on through rusqlite's cached
//! statements.

use std::ffi::{c_int, c_void, CStr};

use rusqlite::ffi;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ToSql};

/// Events of at least this many bytes are inserted with [`execute`].
pub const FROM: usize = 1 << 20;

/// A prepared statement, finalized when dropped (which also lets go of its parameters).
struct Stmt(*mut ffi::sqlite3_stmt);

impl Drop for Stmt {
    fn drop(&mut self) {
        // SAFETY: the pointer came from sqlite3_prepare_v2 and is finalized once, here.
        unsafe {
            ffi::sqlite3_finalize(self.0);
        }
    }
}

/// Runs `sql` (one statement that returns no rows) once with `params`, every text and blob
/// read by SQLite from where it lies rather than copied first.
pub fn execute(conn: &Connection, sql: &str, params: &[&dyn ToSql]) -> rusqlite::Result<()> {
    // Declared before the statement, so they outlive it: SQLITE_STATIC lets SQLite read them
    // until it is finalized.
    let values = params
        .iter()
        .map(|p| p.to_sql())
        .collect::<rusqlite::Result<Vec<_>>>()?;
    // SAFETY: the handle is only used on this thread, while `conn` is borrowed.
    let db = unsafe { conn.handle() };
    let len = c_int::try_from(sql.len()).map_err(|_| failure(ffi::SQLITE_TOOBIG, None))?;
    let mut raw = std::ptr::null_mut();
    // SAFETY: `sql` is valid for `len` bytes; `raw` receives the statement or null.
    let rc = unsafe {
        ffi::sqlite3_prepare_v2(db, sql.as_ptr().cast(), len, &mut raw, std::ptr::null_mut())
    };
    if rc != ffi::SQLITE_OK {
        return Err(last_error(db, rc));
    }
    if raw.is_null() {
        return Err(failure(ffi::SQLITE_MISUSE, Some("no statement".into())));
    }
    let stmt = Stmt(raw);
    // SAFETY: `stmt` is a live statement; the count of its parameters is read only.
    let expected = unsafe { ffi::sqlite3_bind_parameter_count(stmt.0) };
    if usize::try_from(expected).ok() != Some(values.len()) {
        return Err(rusqlite::Error::InvalidParameterCount(
            values.len(),
            expected.max(0) as usize,
        ));
    }
    for (i, v) in values.iter().enumerate() {
        let value = match v {
            ToSqlOutput::Borrowed(v) => *v,
            ToSqlOutput::Owned(v) => ValueRef::from(v),
            _ => {
                return Err(failure(
                    ffi::SQLITE_MISUSE,
                    Some("unsupported value".into()),
                ))
            }
        };
        // SAFETY: `stmt` is live, `i + 1` is within its parameters (counted above), and every
        // pointer bound stays valid until `stmt` is finalized (`values` outlives it).
        let rc = unsafe { bind(stmt.0, i as c_int + 1, value) };
        if rc != ffi::SQLITE_OK {
            return Err(last_error(db, rc));
        }
    }
    // SAFETY: a live statement with all its parameters bound.
    match unsafe { ffi::sqlite3_step(stmt.0) } {
        ffi::SQLITE_DONE | ffi::SQLITE_ROW => Ok(()),
        rc => Err(last_error(db, rc)),
    }
}

/// Binds one value without copying it (`SQLITE_STATIC`).
///
/// # Safety
/// `stmt` is live, `i` one of its parameters, and `value` stays valid until it is finalized.
unsafe fn bind(stmt: *mut ffi::sqlite3_stmt, i: c_int, value: ValueRef<'_>) -> c_int {
    match value {
        ValueRef::Null => ffi::sqlite3_bind_null(stmt, i),
        ValueRef::Integer(n) => ffi::sqlite3_bind_int64(stmt, i, n),
        ValueRef::Real(r) => ffi::sqlite3_bind_double(stmt, i, r),
        // Empty text is text, not NULL: a pointer that is never null.
        ValueRef::Text([]) => {
            ffi::sqlite3_bind_text(stmt, i, c"".as_ptr(), 0, ffi::SQLITE_STATIC())
        }
        ValueRef::Text(t) => ffi::sqlite3_bind_text64(
            stmt,
            i,
            t.as_ptr().cast(),
            t.len() as u64,
            ffi::SQLITE_STATIC(),
            ffi::SQLITE_UTF8 as u8,
        ),
        ValueRef::Blob([]) => ffi::sqlite3_bind_zeroblob(stmt, i, 0),
        ValueRef::Blob(b) => ffi::sqlite3_bind_blob64(
            stmt,
            i,
            b.as_ptr().cast::<c_void>(),
            b.len() as u64,
            ffi::SQLITE_STATIC(),
        ),
    }
}

/// The connection's error after `rc`, as rusqlite reports one.
fn last_error(db: *mut ffi::sqlite3, rc: c_int) -> rusqlite::Error {
    // SAFETY: `db` is the live connection that just returned `rc`; the message is copied out
    // before anything else runs on it.
    let (code, text) = unsafe {
        let code = match ffi::sqlite3_extended_errcode(db) {
            ffi::SQLITE_OK => rc,
            code => code,
        };
        let msg = ffi::sqlite3_errmsg(db);
        let text = (!msg.is_null()).then(|| CStr::from_ptr(msg).to_string_lossy().into_owned());
        (code, text)
    };
    failure(code, text)
}

fn failure(code: c_int, text: Option<String>) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(ffi::Error::new(code), text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::types::Value;

    #[test]
    fn values_are_stored_as_rusqlite_stores_them() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a, b, c, d, e, f)")
            .unwrap();
        let big = "é".repeat(FROM);
        let bytes = [0xffu8, 0, 1];
        let sql = "INSERT INTO t VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
        let params: [&dyn ToSql; 6] = [
            &big,
            &ToSqlOutput::Borrowed(ValueRef::Blob(&bytes)),
            &None::<i64>,
            &7i64,
            &"",
            &Value::Real(1.5),
        ];
        execute(&conn, sql, &params).unwrap();
        conn.execute(sql, params.as_slice()).unwrap();
        let rows: Vec<String> = conn
            .prepare("SELECT typeof(a)||typeof(b)||typeof(c)||typeof(d)||typeof(e)||typeof(f)||hex(b)||length(a)||quote(e)||d||f FROM t")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(rows[0], rows[1]);
        assert_eq!(
            rows[0],
            format!("textblobnullintegertextrealFF0001{FROM}''71.5")
        );
        let same: bool = conn
            .query_row(
                "SELECT (SELECT a FROM t WHERE rowid = 1) = (SELECT a FROM t WHERE rowid = 2)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(same);
        // Errors are rusqlite's: a constraint, a wrong count of parameters.
        conn.execute_batch("CREATE TABLE u (x NOT NULL)").unwrap();
        let err = execute(&conn, "INSERT INTO u VALUES (?1)", &[&None::<i64>]).unwrap_err();
        assert_eq!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::ConstraintViolation)
        );
        assert!(err.to_string().contains("NOT NULL"), "{err}");
        assert!(matches!(
            execute(&conn, "INSERT INTO u VALUES (?1)", &[]),
            Err(rusqlite::Error::InvalidParameterCount(0, 1))
        ));
    }
}
