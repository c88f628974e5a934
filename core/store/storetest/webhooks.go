package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"cornershop/core"
)

// webhookDelivery queues ev for endpoint in lane.
func webhookDelivery(tb testing.TB, tx core.Tx, ev core.WebhookEvent, endpoint string) core.Delivery {
	tb.Helper()
	d := core.Delivery{Key: unique("wh:"), Op: core.OpWebhook, Lane: "wh:" + endpoint + ":" + ev.Subject,
		Event: ev.ID, Endpoint: endpoint, NextAttemptAt: T0, CreatedAt: T0}
	if err := tx.Enqueue(&d); err != nil {
		tb.Fatalf("enqueue webhook: %v", err)
	}
	return d
}

// testWebhookEvents: an event keeps its bytes and fields, and its
// deliveries carry the event and endpoint through a claim.
func testWebhookEvents(t *testing.T, s core.Store) {
	data := []byte(`{"conversation_id":7,"text":"héllo \u2603"}`)
	ev := core.WebhookEvent{Type: core.EventMessageCreated, Subject: "conversation:7", Contact: 3, Data: data, CreatedAt: T0}
	var d core.Delivery
	inTx(t, s, func(tx core.Tx) error {
		if err := tx.RecordWebhookEvent(&ev); err != nil {
			return err
		}
		d = webhookDelivery(t, tx, ev, "crm")
		return nil
	})
	if ev.ID == 0 {
		t.Fatal("RecordWebhookEvent set no id")
	}
	inTx(t, s, func(tx core.Tx) error {
		got, err := tx.WebhookEvent(ev.ID)
		if err != nil {
			return err
		}
		if got.Type != ev.Type || got.Subject != ev.Subject || got.Contact != ev.Contact || !got.CreatedAt.Equal(T0) || !bytes.Equal(got.Data, data) {
			t.Errorf("WebhookEvent = %+v, want %+v", got, ev)
		}
		_, err = tx.WebhookEvent(ev.ID + 1000)
		wantErr(t, "unknown event", err, core.ErrNotFound)
		wantErr(t, "invalid type", tx.RecordWebhookEvent(&core.WebhookEvent{Type: "nope", Data: data}), core.ErrInvalid)
		return nil
	})
	got, err := s.Claim(context.Background(), "w", T0, 10, time.Minute)
	if err != nil || len(got) != 1 {
		t.Fatalf("Claim = %v, %v; want the webhook delivery", got, err)
	}
	if got[0].ID != d.ID || got[0].Event != ev.ID || got[0].Endpoint != "crm" || got[0].Op != core.OpWebhook || got[0].Lane != d.Lane {
		t.Errorf("claimed %+v, want event %d to crm in lane %s", got[0], ev.ID, d.Lane)
	}
}

// testWebhookFailures: failed webhook deliveries are listed newest first
// and can be made pending again, once.
func testWebhookFailures(t *testing.T, s core.Store) {
	var ds []core.Delivery
	inTx(t, s, func(tx core.Tx) error {
		for i, typ := range []core.EventType{core.EventIdeaCreated, core.EventIdeaVoted} {
			ev := core.WebhookEvent{Type: typ, Subject: "idea:1", Data: []byte(`{}`), CreatedAt: T0}
			if err := tx.RecordWebhookEvent(&ev); err != nil {
				return err
			}
			ds = append(ds, webhookDelivery(t, tx, ev, []string{"a", "b"}[i]))
		}
		return nil
	})
	inTx(t, s, func(tx core.Tx) error {
		wantErr(t, "redeliver pending", tx.RedeliverWebhook(ds[0].ID, T0), core.ErrNotFound)
		for i, d := range ds {
			if err := tx.RetryDelivery(d.ID, 3, T0, "transient: 503"); err != nil {
				return err
			}
			if err := tx.FinishDelivery(d.ID, core.DeliveryFailed, "permanent: 410 Gone", T0.Add(time.Duration(i)*time.Second)); err != nil {
				return err
			}
		}
		return nil
	})
	inTx(t, s, func(tx core.Tx) error {
		fs, err := tx.WebhookFailures(10)
		if err != nil {
			return err
		}
		if len(fs) != 2 || fs[0].Delivery != ds[1].ID || fs[1].Delivery != ds[0].ID {
			t.Fatalf("WebhookFailures = %+v, want deliveries %d then %d", fs, ds[1].ID, ds[0].ID)
		}
		f := fs[0]
		if f.Endpoint != "b" || f.Event != ds[1].Event || f.Type != core.EventIdeaVoted || f.Attempts != 4 ||
			f.LastError != "permanent: 410 Gone" || !f.FailedAt.Equal(T0.Add(time.Second)) {
			t.Errorf("failure = %+v", f)
		}
		if err := tx.RedeliverWebhook(ds[1].ID, T0.Add(time.Hour)); err != nil {
			return err
		}
		wantErr(t, "redeliver twice", tx.RedeliverWebhook(ds[1].ID, T0), core.ErrNotFound)
		d, err := tx.Delivery(ds[1].ID)
		if err != nil {
			return err
		}
		if d.State != core.DeliveryPending || d.Attempts != 0 || !d.NextAttemptAt.Equal(T0.Add(time.Hour)) {
			t.Errorf("redelivered = %+v, want pending, 0 attempts, due in an hour", d)
		}
		fs, err = tx.WebhookFailures(10)
		if err != nil || len(fs) != 1 || fs[0].Delivery != ds[0].ID {
			t.Errorf("WebhookFailures after redeliver = %+v, %v; want only %d", fs, err, ds[0].ID)
		}
		return nil
	})
}
