package store

import (
	"fmt"
	"time"

	"cornershop/core"
)

// Marks finds, per place of platform, the newest message received there
// (a source ref: what the platform sent us, never what we posted). A
// ref's chat is the place's channel; the thread comes from the
// conversation's side it was received on ('desk' is core.DeskSide,
// written out so both dialects see one grouping expression).
func (t *tx) Marks(platform core.PlatformName, since time.Time) ([]core.Mark, error) {
	var rows []struct {
		Chat       string
		Thread     string
		PlatformID string
		CreatedAt  time.Time
	}
	err := t.db.Raw(`SELECT r.chat, x.thread, r.platform_id, m.created_at
FROM (SELECT MAX(r.id) AS rid, CASE WHEN r.side = 'desk' THEN c.desk_thread ELSE c.customer_thread END AS thread
	FROM message_refs r JOIN messages m ON m.id = r.message_id JOIN conversations c ON c.id = m.conversation_id
	WHERE r.platform = ? AND r.source = ? AND m.created_at >= ?
	GROUP BY r.chat, CASE WHEN r.side = 'desk' THEN c.desk_thread ELSE c.customer_thread END) x
JOIN message_refs r ON r.id = x.rid JOIN messages m ON m.id = r.message_id
ORDER BY r.id DESC`, string(platform), true, dbTime(since)).Scan(&rows).Error
	if err != nil {
		return nil, mapErr("marks", err)
	}
	out := make([]core.Mark, 0, len(rows))
	have := map[core.Place]bool{}
	for _, r := range rows {
		m := core.Mark{Place: core.Place{Platform: platform, Chat: r.Chat, Thread: r.Thread}, ID: r.PlatformID, At: fromDBTime(r.CreatedAt)}
		out = append(out, m)
		have[m.Place] = true
	}
	// Desk threads nobody wrote in yet.
	var threads []struct {
		DeskChat   string
		DeskThread string
	}
	err = t.db.Raw(`SELECT desk_chat, desk_thread FROM conversations
WHERE desk_platform = ? AND desk_thread <> '' AND updated_at >= ? ORDER BY id DESC`, string(platform), dbTime(since)).Scan(&threads).Error
	if err != nil {
		return nil, mapErr("marks", err)
	}
	for _, th := range threads {
		p := core.Place{Platform: platform, Chat: th.DeskChat, Thread: th.DeskThread}
		if !have[p] {
			out = append(out, core.Mark{Place: p})
			have[p] = true
		}
	}
	return out, nil
}

// LockContact takes the contact's row lock on PostgreSQL (FOR UPDATE);
// SQLite has one writer, so transactions take turns already.
func (t *tx) LockContact(id core.ContactID) error {
	q := `SELECT id FROM contacts WHERE id = ?`
	if t.s.driver == DriverPostgres {
		q += ` FOR UPDATE`
	}
	var got []int64
	if err := t.db.Raw(q, int64(id)).Scan(&got).Error; err != nil {
		return mapErr("lock contact", err)
	}
	if len(got) == 0 {
		return fmt.Errorf("lock contact %d: %w", id, core.ErrNotFound)
	}
	return nil
}
