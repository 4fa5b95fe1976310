# wisp_embed(symbol file): links `file` into the binary as symbol[] .. symbol_end[] (with a
# trailing NUL), through the assembler's .incbin, which is fast for multi-megabyte blobs.
function(wisp_embed symbol file)
  set(asm ${CMAKE_BINARY_DIR}/embed/${symbol}.S)
  file(WRITE ${asm}.in
"  .section .rodata
  .global ${symbol}
  .global ${symbol}_end
  .balign 16
${symbol}:
  .incbin \"${file}\"
${symbol}_end:
  .byte 0
  .section .note.GNU-stack,\"\",@progbits
")
  configure_file(${asm}.in ${asm} COPYONLY)
  set_source_files_properties(${asm} PROPERTIES OBJECT_DEPENDS ${file} GENERATED TRUE)
endfunction()
