# cmake -DIN=file -DOUT=file.gz -P gzip.cmake: gzip -9n, written to a temporary
# name first so an interrupted build never leaves a truncated file behind.
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
execute_process(COMMAND gzip -9 -n -c ${IN} OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE failed)
if(failed)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "gzip could not compress ${IN}")
endif()
file(RENAME ${OUT}.tmp ${OUT})
