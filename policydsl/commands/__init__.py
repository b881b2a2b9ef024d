"""The commands of `policydsl`, one module each; each module defines `command`."""
