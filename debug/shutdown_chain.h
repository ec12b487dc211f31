/* debug/shutdown_chain.h — `monitor exception` at a triple-fault stop: how the exceptions
 * chained to the shutdown, as far as the vCPU's state tells (vm/x86/delivery_check.h). */
#ifndef KVMSTUB_DEBUG_SHUTDOWN_CHAIN_H
#define KVMSTUB_DEBUG_SHUTDOWN_CHAIN_H

#include <stdbool.h>

#include "stub/target.h"

struct vcpu;

/* Describe the chain when this vCPU stopped on a triple fault: true then, false otherwise
 * (nothing said). Only while every vCPU is stopped (a monitor command). */
bool shutdown_chain_describe(struct vcpu *vcpu, target_print_fn print, void *ctx);

#endif
