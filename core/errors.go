package core

import (
	"errors"
	"fmt"
	"time"
)

// Sentinel errors shared by core, stores and adapters.
var (
	// ErrNotFound: the record does not exist.
	ErrNotFound = errors.New("not found")
	// ErrDuplicate: a record with the same unique key exists.
	ErrDuplicate = errors.New("duplicate")
	// ErrInvalid: the input can never be accepted.
	ErrInvalid = errors.New("invalid input")
	// ErrUnsupported: the platform cannot perform this operation.
	ErrUnsupported = errors.New("unsupported by the platform")
	// ErrForbidden: the actor may not do this.
	ErrForbidden = errors.New("forbidden")
)

// Class is how the outbox treats a failed delivery.
type Class int

// Delivery error classes.
const (
	// ClassTransient: try again after a backoff.
	ClassTransient Class = iota
	// ClassRetryAfter: try again after exactly the given delay.
	ClassRetryAfter
	// ClassPermanent: give up and tell staff.
	ClassPermanent
)

// DeliveryError wraps an adapter error with its class.
type DeliveryError struct {
	Class Class
	After time.Duration // for ClassRetryAfter
	// Paced marks a ClassRetryAfter wait that no platform asked for on
	// this call: cornershop's own pacing, or a window a platform's earlier
	// 429 opened and that is still running. The outbox treats both alike;
	// only the log tells them apart.
	Paced bool
	Err   error
}

// Error implements error.
func (e *DeliveryError) Error() string {
	switch e.Class {
	case ClassRetryAfter:
		if e.Paced {
			return fmt.Sprintf("paced, next turn in %s: %v", e.After, e.Err)
		}
		return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
	case ClassPermanent:
		return fmt.Sprintf("permanent: %v", e.Err)
	}
	return fmt.Sprintf("transient: %v", e.Err)
}

// Unwrap returns the wrapped error.
func (e *DeliveryError) Unwrap() error { return e.Err }

// RetryAfter says the platform asked to wait d before trying again.
func RetryAfter(d time.Duration, err error) error {
	return &DeliveryError{Class: ClassRetryAfter, After: d, Err: err}
}

// Paced says the call was not made because cornershop's own pacing (or a
// retry-after window a platform announced earlier) puts its turn d away:
// try again after d, like RetryAfter, but no platform refused anything.
func Paced(d time.Duration, err error) error {
	return &DeliveryError{Class: ClassRetryAfter, After: d, Paced: true, Err: err}
}

// IsPaced reports whether err is a wait of cornershop's own (see Paced)
// rather than a platform's answer.
func IsPaced(err error) bool {
	de, ok := errors.AsType[*DeliveryError](err)
	return ok && de.Paced
}

// Transient says the failure may pass (network, 5xx).
func Transient(err error) error { return &DeliveryError{Class: ClassTransient, Err: err} }

// Permanent says trying again cannot help (blocked by the user, too long).
func Permanent(err error) error { return &DeliveryError{Class: ClassPermanent, Err: err} }

// Classify returns err's class and, for ClassRetryAfter, the delay.
// Unclassified errors are transient; ErrUnsupported and ErrInvalid are
// permanent.
func Classify(err error) (Class, time.Duration) {
	if de, ok := errors.AsType[*DeliveryError](err); ok {
		return de.Class, de.After
	}
	if errors.Is(err, ErrUnsupported) || errors.Is(err, ErrInvalid) {
		return ClassPermanent, 0
	}
	return ClassTransient, 0
}

// IsInvalid reports whether err means the input can never be accepted.
func IsInvalid(err error) bool { return errors.Is(err, ErrInvalid) }
