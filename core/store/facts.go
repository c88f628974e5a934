package store

import (
	"fmt"
	"strings"

	"cornershop/core"
	"time"
)

func (t *tx) DeskFacts(desk core.Place, since time.Time) ([]core.ConversationFacts, error) {
	var convs []conversationRow
	err := t.db.Where("desk_platform = ? AND desk_chat = ? AND created_at >= ?", string(desk.Platform), desk.Chat, dbTime(since)).
		Order("id").Find(&convs).Error
	if err != nil {
		return nil, mapErr("desk facts", err)
	}
	if len(convs) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(convs))
	objects := make([]string, len(convs))
	byID := make(map[int64]int, len(convs))
	out := make([]core.ConversationFacts, len(convs))
	for i, c := range convs {
		ids[i], objects[i], byID[c.ID] = c.ID, core.ConversationID(c.ID).String(), i
		out[i] = core.ConversationFacts{
			ID: core.ConversationID(c.ID), Status: core.Status(c.Status), Assignee: core.StaffID(c.Assignee),
			CreatedAt: fromDBTime(c.CreatedAt), ClosedAt: fromDBNullTime(c.ClosedAt),
		}
	}
	var replies []messageRow
	if err := t.db.Select("id, conversation_id, author, created_at").Where("conversation_id IN ? AND direction = ?", ids, string(core.Reply)).
		Order("id").Find(&replies).Error; err != nil {
		return nil, mapErr("desk facts: replies", err)
	}
	for _, r := range replies {
		f := &out[byID[r.ConversationID]]
		if f.FirstReplyAt.IsZero() {
			f.FirstReplyAt, f.FirstReplyBy = fromDBTime(r.CreatedAt), r.Author
		}
	}
	var reopens []auditRow
	if err := t.db.Select("object").Where("object IN ? AND action = ?", objects, "reopen").Find(&reopens).Error; err != nil {
		return nil, mapErr("desk facts: reopens", err)
	}
	for _, a := range reopens {
		var id int64
		if _, err := fmt.Sscanf(strings.TrimPrefix(a.Object, "conversation#"), "%d", &id); err == nil {
			if i, ok := byID[id]; ok {
				out[i].Reopens++
			}
		}
	}
	return out, nil
}
