package store

import (
	"fmt"
	"slices"
	"time"

	"cornershop/core"
)

func (t *tx) Conversations(contact core.ContactID, limit int) ([]core.Conversation, error) {
	var rs []conversationRow
	if err := t.db.Where("contact_id = ?", int64(contact)).Order("id DESC").Limit(limit).Find(&rs).Error; err != nil {
		return nil, mapErr("conversations", err)
	}
	out := make([]core.Conversation, len(rs))
	for i, r := range rs {
		c, err := toCoreConversation(r)
		if err != nil {
			return nil, fmt.Errorf("conversations: %w", err)
		}
		out[i] = c
	}
	return out, nil
}

func (t *tx) Messages(conv core.ConversationID) ([]core.Message, error) {
	var rs []messageRow
	if err := t.db.Where("conversation_id = ?", int64(conv)).Order("id").Find(&rs).Error; err != nil {
		return nil, mapErr("messages", err)
	}
	out := make([]core.Message, len(rs))
	for i, r := range rs {
		m, err := toCoreMessage(r)
		if err != nil {
			return nil, fmt.Errorf("messages: %w", err)
		}
		out[i] = m
	}
	return out, nil
}

func (t *tx) AuditEntries(object string, limit int) ([]core.AuditEntry, error) {
	var rs []auditRow
	if err := t.db.Where("object = ?", object).Order("id DESC").Limit(limit).Find(&rs).Error; err != nil {
		return nil, mapErr("audit entries", err)
	}
	out := make([]core.AuditEntry, len(rs))
	for i, r := range rs {
		out[i] = toCoreAudit(r)
	}
	slices.Reverse(out)
	return out, nil
}

func (t *tx) Deliveries(m core.MessageID) ([]core.Delivery, error) {
	var rs []deliveryRow
	if err := t.db.Where("message_id = ?", int64(m)).Order("id").Find(&rs).Error; err != nil {
		return nil, mapErr("deliveries", err)
	}
	out := make([]core.Delivery, len(rs))
	for i, r := range rs {
		out[i] = toCoreDelivery(r)
	}
	return out, nil
}

func (t *tx) LastSeen(contact core.ContactID) (time.Time, error) {
	var rows []struct{ CreatedAt time.Time }
	err := t.db.Raw(`SELECT m.created_at FROM messages m JOIN conversations c ON c.id = m.conversation_id
WHERE c.contact_id = ? AND m.direction = ? ORDER BY m.id DESC LIMIT 1`, int64(contact), string(core.Inbound)).Scan(&rows).Error
	if err != nil {
		return time.Time{}, mapErr("last seen", err)
	}
	if len(rows) == 0 {
		return time.Time{}, nil
	}
	return fromDBTime(rows[0].CreatedAt), nil
}
