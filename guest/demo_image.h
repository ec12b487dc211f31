/* guest/demo_image.h — the built-in demo guest's bytes (guest/demo.asm, real mode, load at 0). */
#ifndef KVMSTUB_GUEST_DEMO_IMAGE_H
#define KVMSTUB_GUEST_DEMO_IMAGE_H

extern const unsigned char demo_image[];
extern const unsigned long demo_image_size;

#endif
