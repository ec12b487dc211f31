/* temporary until the Linux loaders land */
#include "loader/loader_internal.h"
bool bzimage_detect(const struct image *img) { (void)img; return false; }
bool pvh_find_entry(const struct image *img, uint32_t *entry) { (void)img; (void)entry; return false; }
int bzimage_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
                 struct boot_state *boot, struct load_error *err) { return loader_fail(err, "bzImage not yet"); }
int pvh_load(const struct image *img, struct guest_ram *ram, const struct load_options *opt,
             struct boot_state *boot, struct load_error *err) { return loader_fail(err, "pvh not yet"); }
