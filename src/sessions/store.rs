//! The `session_links` table: which session Flotilla made from which (forks and merges).

use crate::base::db::Db;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LinkRecord {
    pub session_id: String,
    pub parent_id: String,
    /// `fork` or `merge`.
    pub kind: String,
    pub at_uuid: Option<String>,
    /// Which parent it is (a merge's A is 0, its B 1).
    pub position: i64,
    pub created_at: i64,
}

pub async fn insert(db: &Db, links: &[LinkRecord]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    for l in links {
        sqlx::query(
            "INSERT INTO session_links (session_id, parent_id, kind, at_uuid, position, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&l.session_id)
        .bind(&l.parent_id)
        .bind(&l.kind)
        .bind(&l.at_uuid)
        .bind(l.position)
        .bind(l.created_at)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// The sessions Flotilla recorded a parent for (what it recorded wins over what the index
/// infers).
pub async fn children(db: &Db) -> Result<std::collections::HashSet<String>, sqlx::Error> {
    let ids: Vec<String> = sqlx::query_scalar("SELECT DISTINCT session_id FROM session_links")
        .fetch_all(db)
        .await?;
    Ok(ids.into_iter().collect())
}

/// Every link of the family `session_id` belongs to: the links reachable from it in either
/// direction, through the table and through `inferred` (links the index found in the
/// transcripts). A family is small; it is walked one generation per query.
pub async fn family(
    db: &Db,
    session_id: &str,
    inferred: &[LinkRecord],
) -> Result<Vec<LinkRecord>, sqlx::Error> {
    let mut seen = std::collections::HashSet::from([session_id.to_string()]);
    let mut todo = vec![session_id.to_string()];
    let mut links: Vec<LinkRecord> = Vec::new();
    while let Some(id) = todo.pop() {
        let mut found: Vec<LinkRecord> =
            sqlx::query_as("SELECT * FROM session_links WHERE session_id = $1 OR parent_id = $1")
                .bind(&id)
                .fetch_all(db)
                .await?;
        found.extend(
            inferred
                .iter()
                .filter(|l| l.session_id == id || l.parent_id == id)
                .cloned(),
        );
        for l in found {
            for other in [&l.session_id, &l.parent_id] {
                if seen.insert(other.clone()) {
                    todo.push(other.clone());
                }
            }
            if !links.contains(&l) {
                links.push(l);
            }
        }
        // A family larger than this is not drawn whole.
        if seen.len() > 500 {
            break;
        }
    }
    links.sort_by(|a, b| {
        (a.created_at, &a.session_id, a.position).cmp(&(b.created_at, &b.session_id, b.position))
    });
    Ok(links)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(child: &str, parent: &str, kind: &str, at: i64) -> LinkRecord {
        LinkRecord {
            session_id: child.into(),
            parent_id: parent.into(),
            kind: kind.into(),
            at_uuid: None,
            position: i64::from(parent == "f3"),
            created_at: at,
        }
    }

    #[tokio::test]
    async fn a_family_is_everything_linked_to_a_session() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::base::db::open(&dir.path().join("t.db"))
            .await
            .unwrap();
        // root -> f1 -> f2; root -> f3; m merges f2 and f3. x -> y is another family.
        insert(
            &db,
            &[
                link("f1", "root", "fork", 1),
                link("f2", "f1", "fork", 2),
                link("f3", "root", "fork", 3),
                link("m", "f2", "merge", 4),
                link("m", "f3", "merge", 4),
                link("y", "x", "fork", 5),
            ],
        )
        .await
        .unwrap();
        for from in ["root", "f2", "m"] {
            let fam = family(&db, from, &[]).await.unwrap();
            assert_eq!(fam.len(), 5, "from {from}: {fam:?}");
            assert!(fam.iter().all(|l| l.session_id != "y"));
            // A merge's parents in their order, A before B.
            let merge: Vec<&str> = fam
                .iter()
                .filter(|l| l.session_id == "m")
                .map(|l| l.parent_id.as_str())
                .collect();
            assert_eq!(merge, ["f2", "f3"]);
        }
        assert_eq!(family(&db, "lonely", &[]).await.unwrap(), vec![]);
        // Links the index inferred join the walk: c (forked from f1 with the CLI) and its own
        // fork d are in root's family, reached from either end.
        let inferred = [link("c", "f1", "fork", 6), link("d", "c", "fork", 7)];
        for from in ["root", "d"] {
            let fam = family(&db, from, &inferred).await.unwrap();
            assert_eq!(fam.len(), 7, "from {from}: {fam:?}");
        }
        assert_eq!(
            children(&db).await.unwrap(),
            ["f1", "f2", "f3", "m", "y"].map(String::from).into()
        );
        // A session has one link per parent.
        assert!(insert(&db, &[link("f1", "root", "fork", 9)]).await.is_err());
    }
}
