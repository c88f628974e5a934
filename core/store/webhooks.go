package store

import (
	"fmt"
	"time"

	"cornershop/core"
)

// webhookEventRow is a row of webhook_events.
type webhookEventRow struct {
	ID        int64 `gorm:"primaryKey"`
	Type      string
	Subject   string
	ContactID *int64
	Data      string
	CreatedAt time.Time `gorm:"autoCreateTime:false"`
}

func (webhookEventRow) TableName() string { return "webhook_events" }

func toWebhookEventRow(e core.WebhookEvent) webhookEventRow {
	return webhookEventRow{ID: int64(e.ID), Type: string(e.Type), Subject: e.Subject, ContactID: nullID(e.Contact),
		Data: string(e.Data), CreatedAt: dbTime(e.CreatedAt)}
}

func toCoreWebhookEvent(r webhookEventRow) core.WebhookEvent {
	return core.WebhookEvent{ID: core.WebhookEventID(r.ID), Type: core.EventType(r.Type), Subject: r.Subject,
		Contact: idOf[core.ContactID](r.ContactID), Data: []byte(r.Data), CreatedAt: fromDBTime(r.CreatedAt)}
}

// RecordWebhookEvent stamps a zero CreatedAt with the store clock; an
// unknown type or empty data is ErrInvalid.
func (t *tx) RecordWebhookEvent(e *core.WebhookEvent) error {
	if !e.Type.Valid() || len(e.Data) == 0 {
		return fmt.Errorf("record webhook event %q: %w", e.Type, core.ErrInvalid)
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = t.now()
	}
	r := toWebhookEventRow(*e)
	r.ID = 0
	if err := t.db.Create(&r).Error; err != nil {
		return mapErr("record webhook event", err)
	}
	e.ID = core.WebhookEventID(r.ID)
	return nil
}

func (t *tx) WebhookEvent(id core.WebhookEventID) (core.WebhookEvent, error) {
	var r webhookEventRow
	if err := t.db.Where("id = ?", int64(id)).Take(&r).Error; err != nil {
		return core.WebhookEvent{}, mapErr("webhook event", err)
	}
	return toCoreWebhookEvent(r), nil
}

func (t *tx) WebhookFailures(limit int) ([]core.WebhookFailure, error) {
	if limit <= 0 {
		return nil, nil
	}
	var rows []deliveryRow
	err := t.db.Where("op = ? AND state = ?", string(core.OpWebhook), string(core.DeliveryFailed)).
		Order("done_at DESC, id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, mapErr("webhook failures", err)
	}
	ids := make([]int64, 0, len(rows))
	for _, r := range rows {
		if r.EventID != nil {
			ids = append(ids, *r.EventID)
		}
	}
	var evs []webhookEventRow
	if len(ids) > 0 {
		if err := t.db.Select("id", "type").Where("id IN ?", ids).Find(&evs).Error; err != nil {
			return nil, mapErr("webhook failures: event types", err)
		}
	}
	types := make(map[core.WebhookEventID]core.EventType, len(evs))
	for _, e := range evs {
		types[core.WebhookEventID(e.ID)] = core.EventType(e.Type)
	}
	out := make([]core.WebhookFailure, len(rows))
	for i, r := range rows {
		d := toCoreDelivery(r)
		// The row counts the attempts retried; the one that failed for
		// good is not among them.
		out[i] = core.WebhookFailure{Delivery: d.ID, Endpoint: d.Endpoint, Event: d.Event, Type: types[d.Event],
			Attempts: d.Attempts + 1, LastError: d.LastError, FailedAt: d.DoneAt}
	}
	return out, nil
}

func (t *tx) RedeliverWebhook(id core.DeliveryID, now time.Time) error {
	res := t.db.Model(&deliveryRow{}).
		Where("id = ? AND op = ? AND state = ?", int64(id), string(core.OpWebhook), string(core.DeliveryFailed)).
		Updates(map[string]any{
			"state": string(core.DeliveryPending), "attempts": 0, "next_attempt_at": dbTime(now),
			"done_at": nil, "claimed_by": "", "claimed_until": nil,
		})
	return changed("redeliver webhook", res)
}
