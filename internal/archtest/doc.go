// Package archtest holds a test that enforces the project's import rules;
// it has no code of its own.
package archtest
