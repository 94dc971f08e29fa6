package smtp

// WaitOpened waits until the opening has ended, well or not (tests need
// to know the server has seen it before they go on).
func (a *Ahead) WaitOpened() { <-a.done }
