package store

import (
	"context"
	"fmt"
	"time"

	"cornershop/core"
)

// Page sizes of the Records lists.
const (
	defaultPage = 50
	maxPage     = 200
)

func pageLimit(n int) int {
	switch {
	case n <= 0:
		return defaultPage
	case n > maxPage:
		return maxPage
	}
	return n
}

var _ core.Records = (*Store)(nil)

// ListContacts implements core.Records.
func (s *Store) ListContacts(ctx context.Context, q core.ContactQuery) ([]core.Contact, error) {
	t := s.reader(ctx)
	db := t.db.Table("contacts").Select("contacts.id").Where("contacts.id > ?", int64(q.After))
	if q.Text != "" {
		words := searchWords(q.Text)
		if len(words) == 0 {
			return nil, nil
		}
		cond, args := t.contactMatch("contacts.id", words)
		db = db.Where(cond, args...)
	}
	if q.Platform != "" {
		db = db.Where("EXISTS (SELECT 1 FROM identities i WHERE i.contact_id = contacts.id AND i.platform = ?)", string(q.Platform))
	}
	if q.Tag != "" {
		elems := "json_each(contacts.tags)"
		if s.driver == DriverPostgres {
			elems = "jsonb_array_elements_text(contacts.tags::jsonb) AS e(value)"
		}
		db = db.Where("EXISTS (SELECT 1 FROM "+elems+" WHERE lower(value) = lower(?))", q.Tag)
	}
	if !q.UpdatedSince.IsZero() {
		db = db.Where("coalesce(contacts.updated_at, contacts.created_at) >= ?", dbTime(q.UpdatedSince))
	}
	var ids []int64
	if err := db.Order("contacts.id").Limit(pageLimit(q.Limit)).Scan(&ids).Error; err != nil {
		return nil, mapErr("list contacts", err)
	}
	return t.contactsByID(ids)
}

// ListConversations implements core.Records.
func (s *Store) ListConversations(ctx context.Context, q core.ConversationQuery) ([]core.Conversation, error) {
	db := s.read.WithContext(ctx).Where("id > ?", int64(q.After))
	if q.Status != "" {
		db = db.Where("status = ?", string(q.Status))
	}
	if !q.Desk.IsZero() {
		db = db.Where("desk_platform = ? AND desk_chat = ?", string(q.Desk.Platform), q.Desk.Chat)
	}
	if q.Assignee != "" {
		db = db.Where("assignee = ?", string(q.Assignee))
	}
	if q.Contact != 0 {
		db = db.Where("contact_id = ?", int64(q.Contact))
	}
	if !q.UpdatedSince.IsZero() {
		db = db.Where("updated_at >= ?", dbTime(q.UpdatedSince))
	}
	var rs []conversationRow
	if err := db.Order("id").Limit(pageLimit(q.Limit)).Find(&rs).Error; err != nil {
		return nil, mapErr("list conversations", err)
	}
	out := make([]core.Conversation, len(rs))
	for i, r := range rs {
		c, err := toCoreConversation(r)
		if err != nil {
			return nil, fmt.Errorf("list conversations: %w", err)
		}
		out[i] = c
	}
	return out, nil
}

// ListMessages implements core.Records.
func (s *Store) ListMessages(ctx context.Context, q core.MessageQuery) ([]core.Message, error) {
	var rs []messageRow
	err := s.read.WithContext(ctx).Where("conversation_id = ? AND id > ?", int64(q.Conversation), int64(q.After)).
		Order("id").Limit(pageLimit(q.Limit)).Find(&rs).Error
	if err != nil {
		return nil, mapErr("list messages", err)
	}
	out := make([]core.Message, len(rs))
	for i, r := range rs {
		m, err := toCoreMessage(r)
		if err != nil {
			return nil, fmt.Errorf("list messages: %w", err)
		}
		out[i] = m
	}
	return out, nil
}

// ListAudit implements core.Records.
func (s *Store) ListAudit(ctx context.Context, q core.AuditQuery) ([]core.AuditEntry, error) {
	db := s.read.WithContext(ctx).Where("id > ?", q.After)
	for col, v := range map[string]string{"object": q.Object, "actor": q.Actor, "action": q.Action} {
		if v != "" {
			db = db.Where(col+" = ?", v)
		}
	}
	if !q.Since.IsZero() {
		db = db.Where("at >= ?", dbTime(q.Since))
	}
	var rs []auditRow
	if err := db.Order("id").Limit(pageLimit(q.Limit)).Find(&rs).Error; err != nil {
		return nil, mapErr("list audit entries", err)
	}
	out := make([]core.AuditEntry, len(rs))
	for i, r := range rs {
		out[i] = toCoreAudit(r)
	}
	return out, nil
}

// touchContact records that a contact changed at at.
func (t *tx) touchContact(id core.ContactID, at time.Time) error {
	return mapErr("touch contact", t.db.Exec("UPDATE contacts SET updated_at = ? WHERE id = ?", dbTime(at), int64(id)).Error)
}

func (t *tx) SetContactTags(id core.ContactID, tags []string, at time.Time) error {
	if tags == nil {
		tags = []string{}
	}
	js, err := toJSON(tags)
	if err != nil {
		return fmt.Errorf("set contact tags: %w", err)
	}
	return changed("set contact tags", t.db.Exec("UPDATE contacts SET tags = ?, updated_at = ? WHERE id = ?", js, dbTime(at), int64(id)))
}
