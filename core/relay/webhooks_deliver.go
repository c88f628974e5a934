package relay

import (
	"context"
	"errors"
	"fmt"

	"cornershop/core"
	"cornershop/core/outbox"
)

var _ outbox.Scheduler = (*Service)(nil)

// endpoint returns the configured endpoint named name.
func (s *Service) endpoint(name string) (WebhookEndpoint, bool) {
	for _, e := range s.cfg.Webhooks.Endpoints {
		if e.Name == name {
			return e, true
		}
	}
	return WebhookEndpoint{}, false
}

// performWebhook posts one webhook event to its endpoint.
func (s *Service) performWebhook(ctx context.Context, d core.Delivery) (func(core.Tx) error, error) {
	if _, ok := s.endpoint(d.Endpoint); !ok || s.cfg.Webhooks.Sender == nil {
		return nil, core.Permanent(fmt.Errorf("webhook endpoint %q is not configured", d.Endpoint))
	}
	var ev core.WebhookEvent
	err := s.commit.quiet(ctx, func(tx core.Tx) error {
		var err error
		ev, err = tx.WebhookEvent(d.Event)
		return err
	})
	if errors.Is(err, core.ErrNotFound) {
		return nil, core.Permanent(fmt.Errorf("load webhook event: %w", err))
	}
	if err != nil {
		return nil, fmt.Errorf("load webhook event: %w", err)
	}
	return nil, s.cfg.Webhooks.Sender.Post(ctx, d.Endpoint, ev)
}

// giveUpWebhook makes a webhook delivery's failure visible: a log line
// naming the endpoint and event, and an audit entry. The failure stays
// listed (WebhookFailures) until redelivered.
func (s *Service) giveUpWebhook(tx core.Tx, d core.Delivery, cause error) error {
	s.log.Error("webhook delivery failed for good", "endpoint", d.Endpoint, "event", d.Event.String(),
		"delivery", d.ID, "attempts", d.Attempts+1, "err", cause)
	return tx.Audit(core.AuditEntry{At: s.now(), Actor: "system", Action: "webhook.failed", Object: "webhook:" + d.Endpoint,
		Detail: fmt.Sprintf("%s: %s", d.Event, reason(cause))})
}

// Schedule implements outbox.Scheduler: webhook deliveries retry on their
// endpoint's schedule (about a day by default) rather than the
// platforms'.
func (s *Service) Schedule(d core.Delivery) (outbox.Schedule, bool) {
	if d.Op != core.OpWebhook {
		return outbox.Schedule{}, false
	}
	e, ok := s.endpoint(d.Endpoint)
	if !ok {
		return outbox.Schedule{}, false
	}
	return outbox.Schedule{MaxAttempts: e.MaxAttempts, BaseBackoff: e.MinBackoff, MaxBackoff: e.MaxBackoff}, true
}

// WebhookFailures lists the webhook deliveries that failed for good,
// newest first, at most limit. Errors are the store's.
func (s *Service) WebhookFailures(ctx context.Context, limit int) ([]core.WebhookFailure, error) {
	var out []core.WebhookFailure
	err := s.commit.quiet(ctx, func(tx core.Tx) error {
		var err error
		out, err = tx.WebhookFailures(limit)
		return err
	})
	return out, err
}

// RedeliverWebhook queues failed webhook delivery id again, due now, with
// a fresh count of attempts, audited as actor's doing. It returns an
// error wrapping ErrNotFound unless id is a webhook delivery that failed.
// The event keeps its id, so the receiver can tell a repeat.
func (s *Service) RedeliverWebhook(ctx context.Context, id core.DeliveryID, actor string) error {
	now := s.now()
	return s.commit.do(ctx, func(tx core.Tx) error {
		d, err := tx.Delivery(id)
		if err != nil {
			return err
		}
		if err := tx.RedeliverWebhook(id, now); err != nil {
			return err
		}
		return tx.Audit(core.AuditEntry{At: now, Actor: actor, Action: "webhook.redeliver", Object: "webhook:" + d.Endpoint,
			Detail: d.Event.String()})
	})
}
