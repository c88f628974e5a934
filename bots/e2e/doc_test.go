// Package e2e_test runs the staff workflow across platforms: for each desk
// platform, a customer on another platform, everything over the wire
// through the real adapters and the emulators.
package e2e_test
