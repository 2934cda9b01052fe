/*
 * Portable writer for Layout A beacon pages (the Haywire beacon protocol, see
 * docs/beacons.md). C99, no OS dependencies: it fills caller-supplied 4096-byte
 * pages, so the same code serves the in-guest companion (agent/macos) and the
 * host-side tests that forge beacon images.
 *
 * Every page is written under a seqlock: xb_page_begin() makes version_top differ
 * from version_bottom before any payload byte changes, xb_page_end() copies
 * version_top into version_bottom after the last payload byte. A reader that sees
 * version_top == version_bottom therefore saw a page that was not being written
 * (the reference writer copied entries outside this bracket; this one does not).
 *
 * All integers are stored little-endian regardless of the host byte order.
 */
#ifndef XNUSCOPE_BEACON_ENCODER_H
#define XNUSCOPE_BEACON_ENCODER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define XB_PAGE_SIZE 4096u
#define XB_MAGIC 0x3142FACEu

/* Page categories (header offset 12). */
#define XB_CATEGORY_MASTER 0u
#define XB_CATEGORY_PID 1u
#define XB_CATEGORY_CAMERA1 2u
#define XB_CATEGORY_CAMERA2 3u
#define XB_CATEGORY_COUNT 4u

/* Header layout shared by every Layout A page. */
#define XB_OFF_MAGIC 0u
#define XB_OFF_VERSION_TOP 4u
#define XB_OFF_SESSION 8u
#define XB_OFF_CATEGORY 12u
#define XB_OFF_INDEX 16u
#define XB_OFF_TIMESTAMP 20u
#define XB_OFF_VERSION_BOTTOM 4092u

/* PID pages. */
#define XB_PID_ENTRY_SIZE 48u
#define XB_PID_ENTRIES_OFFSET 36u
#define XB_MAX_PIDS_PER_PAGE 84u
#define XB_COMM_LEN 16u

/* Camera pages: index 0 is the control page, data pages are 1..page_count-1. */
#define XB_CAMERA_STREAM_OFFSET 32u
#define XB_CAMERA_STREAM_SIZE 4060u
#define XB_ENTRY_SECTION 0x01u
#define XB_ENTRY_PTE 0x02u
#define XB_ENTRY_END 0xFFu
#define XB_SECTION_SIZE 96u
#define XB_PTE_SIZE 24u
#define XB_PATH_LEN 64u

/* Section permission bits. */
#define XB_PERM_READ 0x01u
#define XB_PERM_WRITE 0x02u
#define XB_PERM_EXEC 0x04u
#define XB_PERM_PRIVATE 0x08u
#define XB_PERM_SHARED 0x10u

/* PTE flags. */
#define XB_PTE_PRESENT 0x01u

typedef struct xb_pid_entry {
  uint32_t pid;
  uint32_t ppid;
  uint32_t uid;
  uint32_t gid;
  uint64_t rss_kb;
  char comm[XB_COMM_LEN]; /* truncated to 15 bytes + NUL when written */
  char state;             /* 'R', 'S', 'T', 'Z', 'U', 'I' or '?' */
} xb_pid_entry;

typedef struct xb_section {
  uint32_t pid;
  uint64_t va_start;
  uint64_t va_end; /* exclusive */
  uint32_t perms;  /* XB_PERM_* */
  char path[XB_PATH_LEN];
} xb_section;

typedef struct xb_pte {
  uint32_t flags; /* XB_PTE_* */
  uint64_t va;
  uint64_t pa; /* guest-physical */
} xb_pte;

/* Little-endian field access (used by the writer and handy for tests). */
void xb_store_u16(uint8_t* p, uint16_t value);
void xb_store_u32(uint8_t* p, uint32_t value);
void xb_store_u64(uint8_t* p, uint64_t value);
uint32_t xb_load_u32(const uint8_t* p);

/* Seqlock bracket (`page` must be at least 4-byte aligned: the version words are
 * stored as whole 32-bit words). xb_page_begin bumps version_top (so it no longer equals
 * version_bottom) and orders that store before any later payload store;
 * xb_page_end orders the payload before setting version_bottom = version_top. */
void xb_page_begin(uint8_t* page);
void xb_page_end(uint8_t* page);

/* Writes magic, session, category, index and timestamp. Call inside the bracket. */
void xb_write_header(uint8_t* page, uint32_t session_id, uint32_t category, uint32_t index,
                     uint32_t timestamp);

/* Master (discovery) page payload: page_count per category; base_offset,
 * write_index and sequence are written as 0 (a physical scan needs none of them). */
void xb_write_master(uint8_t* page, const uint32_t page_counts[XB_CATEGORY_COUNT]);

/* PID page payload: generation, total_pids and up to XB_MAX_PIDS_PER_PAGE entries.
 * Unused entry slots are zeroed. Returns how many entries were written. */
uint32_t xb_write_pid_page(uint8_t* page, uint32_t generation, uint32_t total_pids,
                           const xb_pid_entry* entries, uint32_t count);

/* Camera control page payload (index 0): the pid the camera watches. */
void xb_write_camera_control(uint8_t* page, uint32_t target_pid, uint32_t status,
                             uint32_t current_pid);

/* Streams section/PTE entries into one camera data page. Entries never straddle
 * pages: an add that does not fit returns 0 and the caller moves to a new page. */
typedef struct xb_camera_stream {
  uint8_t* page;
  uint32_t used; /* bytes of the 4060-byte stream in use */
  uint16_t entry_count;
} xb_camera_stream;

/* Clears the stream area and records target_pid. Call inside the bracket. */
void xb_camera_stream_start(xb_camera_stream* stream, uint8_t* page, uint32_t target_pid);
int xb_camera_add_section(xb_camera_stream* stream, const xb_section* section);
int xb_camera_add_pte(xb_camera_stream* stream, const xb_pte* pte);
/* Appends the end marker when room is left and stores entry_count and
 * continuation (1: the next data page continues this stream). */
void xb_camera_stream_finish(xb_camera_stream* stream, int continuation);

#ifdef __cplusplus
}
#endif

#endif /* XNUSCOPE_BEACON_ENCODER_H */
