package store

import (
	"fmt"
	"time"

	"cornershop/core"
)

// cursorsSQL finds the newest ref of each (conversation, side) on one
// platform among messages created since a time, with the conversation's
// threads so the place can be read back.
const cursorsSQL = `SELECT m.conversation_id, r.side, r.chat, r.platform_id, c.customer_thread, c.desk_thread
FROM message_refs r
JOIN messages m ON m.id = r.message_id
JOIN conversations c ON c.id = m.conversation_id
WHERE r.id IN (
	SELECT MAX(r2.id) FROM message_refs r2
	JOIN messages m2 ON m2.id = r2.message_id
	WHERE r2.platform = ? AND m2.created_at >= ?
	GROUP BY m2.conversation_id, r2.side)
ORDER BY r.id`

// deskThreadsSQL finds the desk threads on one platform of conversations
// active since a time, with the card that opened each: a thread opened
// just before a crash may hold staff messages and nothing recorded yet.
const deskThreadsSQL = `SELECT id, desk_chat, desk_thread, desk_card FROM conversations
WHERE desk_platform = ? AND desk_thread <> '' AND updated_at >= ? ORDER BY id`

func (t *tx) Cursors(platform core.PlatformName, since time.Time) ([]core.Cursor, error) {
	var rows []struct {
		ConversationID             int64
		Side, Chat, PlatformID     string
		CustomerThread, DeskThread string
	}
	if err := t.db.Raw(cursorsSQL, string(platform), dbTime(since)).Scan(&rows).Error; err != nil {
		return nil, mapErr("cursors", err)
	}
	out := make([]core.Cursor, 0, len(rows))
	hasDesk := map[int64]bool{}
	for _, r := range rows {
		p := core.Place{Platform: platform, Chat: r.Chat, Thread: r.CustomerThread}
		if core.Side(r.Side) == core.DeskSide {
			p.Thread = r.DeskThread
			hasDesk[r.ConversationID] = true
		}
		out = append(out, core.Cursor{Place: p, Last: r.PlatformID})
	}
	var threads []struct {
		ID                             int64
		DeskChat, DeskThread, DeskCard string
	}
	if err := t.db.Raw(deskThreadsSQL, string(platform), dbTime(since)).Scan(&threads).Error; err != nil {
		return nil, mapErr("cursors", err)
	}
	for _, th := range threads {
		if !hasDesk[th.ID] {
			out = append(out, core.Cursor{Place: core.Place{Platform: platform, Chat: th.DeskChat, Thread: th.DeskThread}, Last: th.DeskCard})
		}
	}
	return out, nil
}

func (t *tx) LatestPost(conv core.ConversationID, side core.Side) (core.Ref, error) {
	var r refRow
	err := t.db.Raw(`SELECT r.* FROM message_refs r JOIN messages m ON m.id = r.message_id
WHERE m.conversation_id = ? AND r.side = ? AND NOT r.source ORDER BY r.id DESC LIMIT 1`, int64(conv), string(side)).Scan(&r).Error
	if err != nil {
		return core.Ref{}, mapErr("latest post", err)
	}
	if r.ID == 0 {
		return core.Ref{}, fmt.Errorf("latest post: %w", core.ErrNotFound)
	}
	return toCoreRef(r), nil
}
