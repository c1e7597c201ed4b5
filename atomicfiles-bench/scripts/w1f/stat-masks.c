/* The kernel alone: a durable 1 KiB write (create, write, [stat], fdatasync, rename, folder fsync)
 * with no stat, with lstat(2), and with statx(2) asking for type, mode, uid and gid only, in turns.
 * BENCHMARKS.md, "W1 with a stat that does not ask for the times".
 * gcc -O2 -o /tmp/stat-masks stat-masks.c && /tmp/stat-masks /mnt/jext4/sx 6000 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>
#include <string.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e6+t.tv_nsec/1e3;}
int main(int argc,char**argv){
  const char*dir=argv[1]; int n=atoi(argv[2]);
  char buf[1024]; memset(buf,'x',sizeof buf);
  char tmp[4096],dst[4096]; snprintf(dst,sizeof dst,"%s/target",dir);
  int dfd=open(dir,O_RDONLY|O_DIRECTORY);
  double tot[3]={0}; int cnt[3]={0};
  for(int i=0;i<n;i++){
    int v=i%3;
    snprintf(tmp,sizeof tmp,"%s/.t%d",dir,i);
    double t0=now();
    int fd=open(tmp,O_CREAT|O_EXCL|O_WRONLY,0644);
    write(fd,buf,sizeof buf);
    if(v==1){struct stat st; lstat(tmp,&st);}
    if(v==2){struct statx sx; statx(AT_FDCWD,tmp,AT_SYMLINK_NOFOLLOW,STATX_TYPE|STATX_MODE|STATX_UID|STATX_GID,&sx);}
    fdatasync(fd); close(fd);
    rename(tmp,dst); fsync(dfd);
    double t1=now();
    if(i>=30){tot[v]+=t1-t0;cnt[v]++;}
  }
  printf("none %.1f  lstat %.1f  statx-narrow %.1f us\n",tot[0]/cnt[0],tot[1]/cnt[1],tot[2]/cnt[2]);
}
