DROP TABLE public_stats;
