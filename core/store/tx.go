package store

import (
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"cornershop/core"
)

// tx implements core.Tx on one gorm transaction. Its queries run under the
// context given to InTx (g carries it).
type tx struct {
	db *gorm.DB
	s  *Store
	ra *readAhead // PostgreSQL: reads preloaded for a batch (preload.go)
}

var _ core.Tx = (*tx)(nil)

// ignoreDup is the insert clause for keys the contract reports as
// ErrDuplicate: the row is skipped instead of failing the statement, so a
// PostgreSQL transaction stays usable after the duplicate.
var ignoreDup = clause.OnConflict{DoNothing: true}

// now is the store clock, for fields the caller left zero.
func (t *tx) now() time.Time { return t.s.o.Now() }

// changed maps an UPDATE's outcome: no row matched is ErrNotFound.
func changed(what string, res *gorm.DB) error {
	if res.Error != nil {
		return mapErr(what, res.Error)
	}
	if res.RowsAffected == 0 {
		return fmt.Errorf("%s: %w", what, core.ErrNotFound)
	}
	return nil
}

// CreateContact keeps a batch's read-ahead but for the contact's identities.
func (t *tx) CreateContact(c *core.Contact) error {
	return t.keepAhead(func() error { return t.createContact(c) }, func(ra *readAhead) {
		for _, id := range c.Identities {
			delete(ra.contact, identKey{string(id.Platform), id.UserID})
		}
	})
}

func (t *tx) createContact(c *core.Contact) error {
	if c.CreatedAt.IsZero() {
		c.CreatedAt = t.now()
	}
	cr, err := toContactRow(*c)
	if err != nil {
		return fmt.Errorf("create contact: %w", err)
	}
	cr.ID = 0
	if err := t.db.Create(&cr).Error; err != nil {
		return mapErr("create contact", err)
	}
	if len(c.Identities) > 0 {
		irs := make([]identityRow, len(c.Identities))
		for i, id := range c.Identities {
			irs[i] = toIdentityRow(core.ContactID(cr.ID), id)
		}
		res := t.db.Clauses(ignoreDup).Create(&irs)
		if res.Error != nil {
			return mapErr("create contact identities", res.Error)
		}
		if int(res.RowsAffected) < len(irs) {
			// Undo this contact so the transaction stays as it was.
			if err := t.db.Where("contact_id = ?", cr.ID).Delete(&identityRow{}).Error; err != nil {
				return mapErr("create contact: undo", err)
			}
			if err := t.db.Where("id = ?", cr.ID).Delete(&contactRow{}).Error; err != nil {
				return mapErr("create contact: undo", err)
			}
			return fmt.Errorf("create contact: identity taken: %w", core.ErrDuplicate)
		}
	}
	c.ID = core.ContactID(cr.ID)
	c.CreatedAt = fromDBTime(cr.CreatedAt)
	return nil
}

func (t *tx) SaveIdentity(contact core.ContactID, id core.Identity) error {
	res := t.db.Model(&identityRow{}).
		Where("contact_id = ? AND platform = ? AND user_id = ?", int64(contact), string(id.Platform), id.UserID).
		Updates(map[string]any{"handle": id.Handle, "name": id.Name, "avatar_url": id.AvatarURL})
	if err := changed("save identity", res); err != nil {
		return err
	}
	return t.touchContact(contact, t.now())
}

func (t *tx) SetContactBlocked(id core.ContactID, blocked bool) error {
	return changed("set contact blocked", t.db.Model(&contactRow{}).Where("id = ?", int64(id)).Update("blocked", blocked))
}

// CreateConversation keeps a batch's read-ahead but for the contact's
// latest conversation in that place.
func (t *tx) CreateConversation(c *core.Conversation) error {
	return t.keepAhead(func() error { return t.createConversation(c) }, func(ra *readAhead) {
		delete(ra.conv, convKey{int64(c.ContactID), string(c.Customer.Platform), c.Customer.Chat})
	})
}

func (t *tx) createConversation(c *core.Conversation) error {
	now := t.now()
	if c.CreatedAt.IsZero() {
		c.CreatedAt = now
	}
	if c.UpdatedAt.IsZero() {
		c.UpdatedAt = c.CreatedAt
	}
	r, err := toConversationRow(*c)
	if err != nil {
		return fmt.Errorf("create conversation: %w", err)
	}
	r.ID = 0
	if err := t.db.Create(&r).Error; err != nil {
		return mapErr("create conversation", err)
	}
	c.ID = core.ConversationID(r.ID)
	return nil
}

func (t *tx) UpdateConversation(id core.ConversationID, p core.ConversationPatch, now time.Time) error {
	set := map[string]any{"updated_at": dbTime(now)}
	if p.Status != nil {
		set["status"] = string(*p.Status)
	}
	if p.Assignee != nil {
		set["assignee"] = string(*p.Assignee)
	}
	if p.Tags != nil {
		tags, err := toJSON(*p.Tags)
		if err != nil {
			return fmt.Errorf("update conversation: %w", err)
		}
		set["tags"] = tags
	}
	if p.Priority != nil {
		set["priority"] = *p.Priority
	}
	if p.Desk != nil {
		set["desk_platform"], set["desk_chat"], set["desk_thread"] = string(p.Desk.Platform), p.Desk.Chat, p.Desk.Thread
	}
	if p.DeskCard != nil {
		set["desk_card"] = *p.DeskCard
	}
	if p.Customer != nil {
		set["customer_platform"], set["customer_chat"], set["customer_thread"] = string(p.Customer.Platform), p.Customer.Chat, p.Customer.Thread
	}
	if p.ClosedAt != nil {
		set["closed_at"] = dbNullTime(*p.ClosedAt)
	}
	return changed("update conversation", t.db.Model(&conversationRow{}).Where("id = ?", int64(id)).Updates(set))
}

func (t *tx) CountConversations(contact core.ContactID) (int, error) {
	var n int64
	if err := t.db.Model(&conversationRow{}).Where("contact_id = ?", int64(contact)).Count(&n).Error; err != nil {
		return 0, mapErr("count conversations", err)
	}
	return int(n), nil
}

func (t *tx) UpdateMessage(id core.MessageID, p core.MessagePatch) error {
	set := map[string]any{}
	if p.Text != nil {
		set["text"] = *p.Text
	}
	if p.EditedAt != nil {
		set["edited_at"] = dbNullTime(*p.EditedAt)
	}
	if p.DeletedAt != nil {
		set["deleted_at"] = dbNullTime(*p.DeletedAt)
	}
	if len(set) == 0 {
		_, err := t.Message(id)
		return err
	}
	return changed("update message", t.db.Model(&messageRow{}).Where("id = ?", int64(id)).Updates(set))
}

func (t *tx) Refs(m core.MessageID, side core.Side) ([]core.Ref, error) {
	if ra := t.ahead(); ra != nil {
		if all, ok := ra.refsByMsg[int64(m)]; ok {
			refs := []core.Ref{}
			for _, r := range all {
				if r.Side == string(side) {
					refs = append(refs, toCoreRef(r))
				}
			}
			return refs, nil
		}
	}
	var rs []refRow
	if err := t.db.Where("message_id = ? AND side = ?", int64(m), string(side)).Order("part, id").Find(&rs).Error; err != nil {
		return nil, mapErr("refs", err)
	}
	refs := make([]core.Ref, len(rs))
	for i, r := range rs {
		refs[i] = toCoreRef(r)
	}
	return refs, nil
}

func (t *tx) Delivery(id core.DeliveryID) (core.Delivery, error) {
	var r deliveryRow
	if err := t.db.Where("id = ?", int64(id)).Take(&r).Error; err != nil {
		return core.Delivery{}, mapErr("delivery", err)
	}
	return toCoreDelivery(r), nil
}

func (t *tx) PendingBehind(d core.Delivery) (bool, error) {
	var n int64
	err := t.db.Model(&deliveryRow{}).Where("lane = ? AND state = ? AND id > ?", core.DeliveryLane(d), string(core.DeliveryPending), int64(d.ID)).
		Limit(1).Count(&n).Error
	return n > 0, mapErr("pending behind", err)
}

// FinishDelivery accepts done, failed and cancelled (ErrInvalid otherwise)
// and releases the delivery's lease.
func (t *tx) FinishDelivery(id core.DeliveryID, state core.DeliveryState, lastErr string, at time.Time) error {
	if !state.Valid() || state == core.DeliveryPending {
		return fmt.Errorf("finish delivery: state %q: %w", state, core.ErrInvalid)
	}
	if t.holdFinish(id, state, lastErr, at) {
		return nil
	}
	res := t.db.Model(&deliveryRow{}).Where("id = ?", int64(id)).Updates(map[string]any{
		"state": string(state), "last_error": lastErr, "done_at": dbNullTime(at),
		"claimed_by": "", "claimed_until": nil,
	})
	return changed("finish delivery", res)
}

// RetryDelivery releases the delivery's lease too, so it is claimable again
// at next.
func (t *tx) RetryDelivery(id core.DeliveryID, attempts int, next time.Time, lastErr string) error {
	res := t.db.Model(&deliveryRow{}).Where("id = ?", int64(id)).Updates(map[string]any{
		"attempts": attempts, "next_attempt_at": dbTime(next), "last_error": lastErr,
		"claimed_by": "", "claimed_until": nil,
	})
	return changed("retry delivery", res)
}

// Audit stamps a zero At with the store clock.
func (t *tx) Audit(e core.AuditEntry) error {
	if e.At.IsZero() {
		e.At = t.now()
	}
	r := toAuditRow(e)
	r.ID = 0
	if err := t.db.Create(&r).Error; err != nil {
		return mapErr("audit", err)
	}
	return nil
}
