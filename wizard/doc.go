// Package wizard is jobmail's domain core, free of terminal I/O: the step
// machine that both drivers (the TUI and headless replay) run, the commit,
// and the platform export. The setup file itself (model, load, validate,
// save, inheritance) is package wizard/setupfile.
package wizard
