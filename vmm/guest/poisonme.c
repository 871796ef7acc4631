// SPDX-License-Identifier: GPL-2.0
/*
 * poisonme: a Linux guest program for the memory-failure test. A victim
 * process locks one page, prints its guest physical address (from
 * /proc/self/pagemap) and reads it in a loop; a bystander process prints a
 * tick every 200 ms. When the host poisons the victim's page, the guest
 * kernel must kill only the victim (SIGBUS). With ROUNDS > 1 a new victim
 * (on a new page) follows each one that died. Exits 0 if every victim died
 * of SIGBUS and the bystander was still running afterwards.
 *
 *   poisonme [TIMEOUT_SECONDS_PER_ROUND [ROUNDS]]
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void victim(int round)
{
	volatile uint64_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	uint64_t entry = 0, sum = 0;
	int fd;

	if (page == MAP_FAILED)
		_exit(2);
	for (int i = 0; i < 512; i++)
		page[i] = 0x5a5a5a5a00000000ULL + i;
	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &entry, 8, ((uintptr_t)page / 4096) * 8) != 8 ||
	    !(entry >> 63) || !(entry & ((1ULL << 55) - 1))) {
		printf("POISONME FAIL no pfn in pagemap (%016llx)\n", (unsigned long long)entry);
		fflush(stdout);
		_exit(2);
	}
	printf("POISONME VICTIM pid=%d gpa=0x%llx round=%d\n", getpid(),
	       (unsigned long long)((entry & ((1ULL << 55) - 1)) * 4096), round);
	fflush(stdout);
	for (uint64_t n = 0;; n++) {
		for (int i = 0; i < 512; i++)
			sum += page[i];
		if (n % 2000000 == 0) {
			printf("POISONME VICTIM alive n=%llu\n", (unsigned long long)n);
			fflush(stdout);
		}
	}
}

static void bystander(void)
{
	for (unsigned n = 0;; n++) {
		if (n % 10 == 0) {
			printf("POISONME BYSTANDER tick=%u\n", n);
			fflush(stdout);
		}
		usleep(200000);
	}
}

/* Run one victim until it dies or @timeout seconds pass; its signal or -status. */
static int victim_round(int round, int timeout)
{
	int status = 0, sig = 0;
	pid_t v = fork();

	if (v == 0)
		victim(round);
	for (int t = 0; t < timeout * 10; t++) {
		if (waitpid(v, &status, WNOHANG) == v) {
			sig = WIFSIGNALED(status) ? WTERMSIG(status) : -WEXITSTATUS(status);
			break;
		}
		usleep(100000);
	}
	if (!sig) {
		kill(v, SIGKILL);
		waitpid(v, &status, 0);
	}
	printf("POISONME victim ended: %s %d round=%d\n", sig > 0 ? "signal" : "exit/timeout", sig,
	       round);
	return sig;
}

int main(int argc, char **argv)
{
	int timeout = argc > 1 ? atoi(argv[1]) : 120, rounds = argc > 2 ? atoi(argv[2]) : 1;
	int status = 0, sig = 0, all_sigbus = 1;
	pid_t b;

	setvbuf(stdout, NULL, _IOLBF, 0);
	b = fork();
	if (b == 0)
		bystander();
	for (int r = 1; r <= rounds; r++) {
		sig = victim_round(r, timeout);
		all_sigbus &= sig == SIGBUS;
	}
	sleep(2);
	if (waitpid(b, &status, WNOHANG) != 0) {
		printf("POISONME FAIL bystander died\n");
		return 1;
	}
	kill(b, SIGTERM);
	waitpid(b, &status, 0);
	printf("POISONME RESULT victim_signal=%d bystander=alive rounds=%d all_sigbus=%d\n", sig,
	       rounds, all_sigbus);
	return all_sigbus ? 0 : 1;
}
