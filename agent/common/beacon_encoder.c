/* Layout A beacon page writer; see beacon_encoder.h for the contract. */
#include "beacon_encoder.h"

#include <string.h>

/* A store-store (release) barrier: stores before it become visible before stores
 * after it, to the CPU and to anyone reading guest memory from outside. */
#if defined(__GNUC__) || defined(__clang__)
#define XB_RELEASE_FENCE() __atomic_thread_fence(__ATOMIC_RELEASE)
#else
#error "beacon_encoder.c needs a compiler with __atomic builtins (GCC or Clang)"
#endif

void xb_store_u16(uint8_t* p, uint16_t value) {
  p[0] = (uint8_t)value;
  p[1] = (uint8_t)(value >> 8);
}

void xb_store_u32(uint8_t* p, uint32_t value) {
  p[0] = (uint8_t)value;
  p[1] = (uint8_t)(value >> 8);
  p[2] = (uint8_t)(value >> 16);
  p[3] = (uint8_t)(value >> 24);
}

void xb_store_u64(uint8_t* p, uint64_t value) {
  xb_store_u32(p, (uint32_t)value);
  xb_store_u32(p + 4, (uint32_t)(value >> 32));
}

uint32_t xb_load_u32(const uint8_t* p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* The version words are the only fields a reader compares, so they are written as
 * whole aligned 32-bit stores (never byte by byte): a reader can then never see a
 * half-updated version that happens to match the other end. The page is 4096-byte
 * aligned, so offsets 4 and 4092 are 4-byte aligned. */
static uint32_t xb_version_to_le(uint32_t value) {
  uint8_t bytes[4];
  uint32_t stored;
  xb_store_u32(bytes, value);
  memcpy(&stored, bytes, sizeof stored);
  return stored;
}

static void xb_store_version(uint8_t* p, uint32_t value) {
  volatile uint32_t* word = (volatile uint32_t*)(void*)p;
  *word = xb_version_to_le(value);
}

void xb_page_begin(uint8_t* page) {
  uint32_t top = xb_load_u32(page + XB_OFF_VERSION_TOP) + 1u;
  /* If bottom already holds top+1 (a previous bracket was left open at exactly
   * that value), step once more so the page is unmistakably "being written". */
  if (top == xb_load_u32(page + XB_OFF_VERSION_BOTTOM)) top += 1u;
  xb_store_version(page + XB_OFF_VERSION_TOP, top);
  XB_RELEASE_FENCE();
}

void xb_page_end(uint8_t* page) {
  XB_RELEASE_FENCE();
  xb_store_version(page + XB_OFF_VERSION_BOTTOM, xb_load_u32(page + XB_OFF_VERSION_TOP));
}

void xb_write_header(uint8_t* page, uint32_t session_id, uint32_t category, uint32_t index,
                     uint32_t timestamp) {
  xb_store_u32(page + XB_OFF_MAGIC, XB_MAGIC);
  xb_store_u32(page + XB_OFF_SESSION, session_id);
  xb_store_u32(page + XB_OFF_CATEGORY, category);
  xb_store_u32(page + XB_OFF_INDEX, index);
  xb_store_u32(page + XB_OFF_TIMESTAMP, timestamp);
}

void xb_write_master(uint8_t* page, const uint32_t page_counts[XB_CATEGORY_COUNT]) {
  uint32_t i;
  memset(page + 24, 0, XB_OFF_VERSION_BOTTOM - 24);
  for (i = 0; i < XB_CATEGORY_COUNT; ++i) {
    uint8_t* slot = page + 24 + 16 * i;
    xb_store_u32(slot + 0, 0);              /* base_offset: unknown to the writer */
    xb_store_u32(slot + 4, page_counts[i]); /* page_count */
    xb_store_u32(slot + 8, 0);              /* write_index */
    xb_store_u32(slot + 12, 0);             /* sequence */
  }
}

static void xb_copy_text(uint8_t* dst, const char* src, size_t capacity) {
  /* Always NUL-terminated, the rest zero-filled: no stale bytes leak into a page. */
  size_t n = 0;
  memset(dst, 0, capacity);
  while (n + 1 < capacity && src[n] != '\0') {
    dst[n] = (uint8_t)src[n];
    ++n;
  }
}

uint32_t xb_write_pid_page(uint8_t* page, uint32_t generation, uint32_t total_pids,
                           const xb_pid_entry* entries, uint32_t count) {
  uint32_t i;
  if (count > XB_MAX_PIDS_PER_PAGE) count = XB_MAX_PIDS_PER_PAGE;
  xb_store_u32(page + 24, generation);
  xb_store_u32(page + 28, total_pids);
  xb_store_u32(page + 32, count);
  memset(page + XB_PID_ENTRIES_OFFSET, 0, XB_OFF_VERSION_BOTTOM - XB_PID_ENTRIES_OFFSET);
  for (i = 0; i < count; ++i) {
    uint8_t* e = page + XB_PID_ENTRIES_OFFSET + XB_PID_ENTRY_SIZE * i;
    xb_store_u32(e + 0, 0); /* entry type: PID */
    xb_store_u32(e + 4, entries[i].pid);
    xb_store_u32(e + 8, entries[i].ppid);
    xb_store_u32(e + 12, entries[i].uid);
    xb_store_u32(e + 16, entries[i].gid);
    xb_store_u64(e + 20, entries[i].rss_kb);
    xb_copy_text(e + 28, entries[i].comm, XB_COMM_LEN);
    e[44] = (uint8_t)entries[i].state;
  }
  return count;
}

void xb_write_camera_control(uint8_t* page, uint32_t target_pid, uint32_t status,
                             uint32_t current_pid) {
  memset(page + 24, 0, XB_OFF_VERSION_BOTTOM - 24);
  xb_store_u32(page + 24, target_pid);
  xb_store_u32(page + 28, status);
  xb_store_u32(page + 32, current_pid);
}

void xb_camera_stream_start(xb_camera_stream* stream, uint8_t* page, uint32_t target_pid) {
  stream->page = page;
  stream->used = 0;
  stream->entry_count = 0;
  xb_store_u32(page + 24, target_pid);
  xb_store_u16(page + 28, 0);
  xb_store_u16(page + 30, 0);
  memset(page + XB_CAMERA_STREAM_OFFSET, 0, XB_CAMERA_STREAM_SIZE);
}

static uint8_t* xb_camera_reserve(xb_camera_stream* stream, uint32_t size) {
  uint8_t* at;
  if (stream->used + size > XB_CAMERA_STREAM_SIZE || stream->entry_count == 0xFFFFu) return NULL;
  at = stream->page + XB_CAMERA_STREAM_OFFSET + stream->used;
  stream->used += size;
  stream->entry_count++;
  return at;
}

int xb_camera_add_section(xb_camera_stream* stream, const xb_section* section) {
  uint8_t* e = xb_camera_reserve(stream, XB_SECTION_SIZE);
  if (e == NULL) return 0;
  memset(e, 0, XB_SECTION_SIZE);
  e[0] = XB_ENTRY_SECTION;
  xb_store_u32(e + 4, section->pid);
  xb_store_u64(e + 8, section->va_start);
  xb_store_u64(e + 16, section->va_end);
  xb_store_u32(e + 24, section->perms);
  xb_copy_text(e + 32, section->path, XB_PATH_LEN);
  return 1;
}

int xb_camera_add_pte(xb_camera_stream* stream, const xb_pte* pte) {
  uint8_t* e = xb_camera_reserve(stream, XB_PTE_SIZE);
  if (e == NULL) return 0;
  memset(e, 0, XB_PTE_SIZE);
  e[0] = XB_ENTRY_PTE;
  xb_store_u32(e + 4, pte->flags);
  xb_store_u64(e + 8, pte->va);
  xb_store_u64(e + 16, pte->pa);
  return 1;
}

void xb_camera_stream_finish(xb_camera_stream* stream, int continuation) {
  if (stream->used < XB_CAMERA_STREAM_SIZE) {
    stream->page[XB_CAMERA_STREAM_OFFSET + stream->used] = XB_ENTRY_END;
  }
  xb_store_u16(stream->page + 28, stream->entry_count);
  xb_store_u16(stream->page + 30, continuation ? 1u : 0u);
}
