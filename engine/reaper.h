/*
 * reaper.h - closing TAP descriptors off the control and packet paths
 * (reaper.c).
 */
#ifndef VNET_ENGINE_REAPER_H
#define VNET_ENGINE_REAPER_H

/* Start the closing thread; 0 or -errno (then reaper_close closes inline). */
int reaper_start(void);
/* Close fd soon, on the reaper's thread. */
void reaper_close(int fd);
/* Close what is queued and end the thread. */
void reaper_stop(void);

#endif
